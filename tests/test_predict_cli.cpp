// recsys predict: each input row back with the model's prediction, known
// pairs from the model itself, unknown users and movies from the stated
// fallbacks (counted on stderr), in every input layout; bad pairs files
// refused with the file and line and nothing on stdout.
#include <catch2/catch.hpp>
#include <string>

#include "recsys/eval/pair_prediction.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/text_table.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::run_recsys;
using hardening::shell;
using test_support::TempDir;

namespace {

// Movie 10 is rated 4, 2 and 5 (mean 11/3); every rating sums to 38 over 12 rows.
const char* kRatings =
    "userId,movieId,rating\n"
    "1,10,4\n1,20,3\n1,30,2\n2,10,2\n2,20,5\n2,40,1\n"
    "3,10,5\n3,30,4\n3,40,3\n4,20,4\n4,30,3\n4,40,2\n";

struct Trained {
  TempDir dir;
  std::string model = dir.file("m.model");
  explicit Trained(const std::string& objective) {
    const std::string ratings = dir.write("ratings.csv", kRatings);
    const auto r = run_recsys("train " + q(ratings) + " --objective " + objective +
                              " --epochs 3 --val-fraction 0.25 --threads 1 --model " + q(model));
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
};

}  // namespace

TEST_CASE("predict writes each row back with the model's prediction or a stated fallback") {
  Trained t("rating");
  const recsys::TrainedModel m = recsys::load_model(t.model);
  const std::string known =
      recsys::fixed(m.shown_score(m.tables.logit(*m.users.find("3"), *m.items.find("20"))), 4);
  const double global = recsys::predict_pair(m, std::nullopt, std::nullopt).value;
  const std::string pairs = t.dir.write("pairs.csv",
                                        "userId,note,movieId\n"
                                        "3,\"a, quoted\",20\n"
                                        "99,new user,10\n"
                                        "3,new movie,77\n"
                                        "98,both new,76\n");
  const auto r = run_recsys("predict " + q(pairs) + " --model " + q(t.model));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out ==
        "userId,note,movieId,prediction,prediction_source\n"
        "3,\"a, quoted\",20," +
            known +
            ",model\n"
            "99,new user,10,3.6667,movie_mean\n"
            "3,new movie,77," +
            recsys::fixed(global, 4) +
            ",global_mean\n"
            "98,both new,76," +
            recsys::fixed(global, 4) + ",global_mean\n");
  CHECK_THAT(r.err, Contains("3 of 4 pairs have a user or movie this model does not know"));
  // The mean of the training rows, which are some 9 of the 12: between the
  // lowest and highest rating, and not the mean of all 12 unless by chance.
  CHECK(global > 1.0);
  CHECK(global < 5.0);

  SECTION("as JSON, with the count of each source") {
    const auto j = run_recsys("predict " + q(pairs) + " --format json --model " + q(t.model));
    REQUIRE(j.code == 0);
    CHECK_THAT(j.out, Contains("\"note\":\"a, quoted\""));
    CHECK_THAT(j.out, Contains("\"prediction\":3.6666666666666665"));
    CHECK_THAT(j.out,
               Contains("\"sources\":{\"model\":1,\"movie_mean\":1,\"global_mean\":2,\"none\":0}"));
  }
  SECTION("headerless pairs, tab-separated, from standard input") {
    const auto h =
        shell("printf '3\\t20\\n99\\t10\\n' | RECSYS predict - --no-header --model " + q(t.model));
    INFO(h.err);
    REQUIRE(h.code == 0);
    CHECK(h.out == "userId,movieId,prediction,prediction_source\n3,20," + known +
                       ",model\n99,10,3.6667,movie_mean\n");
  }
  SECTION("bad pairs files") {
    check_failure(run_recsys("predict " + q(t.dir.write("p.csv", "user,movie\n3,20\n")) +
                             " --model " + q(t.model)),
                  2, t.dir.file("p.csv") + ":1:", {"no column 'userId'"});
    check_failure(shell("RECSYS predict - --model " + q(t.model)), 2,
                  "-:", {"standard input is empty"});
    check_failure(
        run_recsys("predict " + q(t.dir.write("q.csv", "userId,movieId\n3,20\n4,\"10\n")) +
                   " --model " + q(t.model)),
        2, t.dir.file("q.csv") + ":3:", {"quoted field is not closed"});
    check_failure(run_recsys("predict " + q(t.dir.write("r.csv", "userId,movieId\n")) +
                             " --model " + q(t.model)),
                  2, t.dir.file("r.csv") + ":", {"no rows"});
  }
}

TEST_CASE("predict with a choice model gives scores, and no guess for unknown ids") {
  Trained t("choice");
  const std::string pairs = t.dir.write("pairs.csv", "userId,movieId\n1,40\n99,10\n");
  const auto r = run_recsys("predict " + q(pairs) + " --model " + q(t.model));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("userId,movieId,choice_score,prediction_source\n1,40,", 0) == 0);
  CHECK_THAT(r.out, Contains(",model\n99,10,,none\n"));
  CHECK_THAT(r.err, Contains("1 left empty"));
}
