// Evaluation rows that are also training rows (same user and movie) make
// the figures optimistic: counted, and said in one warning, by `train --val`
// and by `metrics` (on --ratings or on the model's validation rows).
#include <catch2/catch.hpp>
#include <string>

#include "metrics_model.hpp"
#include "recsys/data/dataset.hpp"
#include "recsys/data/rated_items.hpp"
#include "recsys/io/model_file.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using test_support::TempDir;

namespace {

std::string q(const std::string& path) { return "'" + path + "'"; }

const std::string kQuick = " --dim 2 --epochs 1 --batch 4 --threads 1";

}  // namespace

TEST_CASE("RatedItems::count_held counts the rows whose pair it holds", "[honest]") {
  const auto m = metrics_test::hand_model();
  // Training pairs: u0 {i0}, u1 {i1, i4}, u2 {i0, i1, i2}.
  recsys::Ratings rows;
  rows.push(0, 0, 1.0f);  // held
  rows.push(0, 1, 1.0f);
  rows.push(2, 2, 1.0f);  // held
  rows.push(2, 2, 3.0f);  // held again: a repeated row counts each time
  rows.push(1, 0, 1.0f);
  rows.push(7, 0, 1.0f);  // a user past the table holds nothing
  CHECK(m.train_rated.count_held(rows) == 3);
  CHECK(m.train_rated.count_held(m.validation) == 0);
  CHECK(m.train_rated.count_held(recsys::Ratings{}) == 0);
}

TEST_CASE("load_dataset counts validation rows that are training rows", "[honest][dataset]") {
  TempDir dir;
  const std::string train =
      dir.write("train.csv", "userId,movieId,rating\n1,10,4\n1,20,3\n2,10,5\n2,30,2\n");
  recsys::DatasetOptions o;
  o.ratings_path = train;
  SECTION("a validation file sharing two pairs out of three") {
    // (1,20) and (2,10) are training pairs with other stars; (2,20) is not;
    // (3,10) has a user the training file lacks.
    o.val_path = dir.write("val.csv", "userId,movieId,rating\n1,20,1\n2,20,4\n2,10,1\n3,10,2\n");
    const recsys::Dataset d = recsys::load_dataset(o, {0.0, 42});
    CHECK(d.val.size() == 4);
    CHECK(d.val_rows_in_training == 2);
  }
  SECTION("the training file itself") {
    o.val_path = train;
    CHECK(recsys::load_dataset(o, {0.0, 42}).val_rows_in_training == 4);
  }
  SECTION("a holdout never shares a pair") {
    const recsys::Dataset d = recsys::load_dataset(o, {0.5, 42});
    CHECK(d.val.size() == 2);
    CHECK(d.val_rows_in_training == 0);
  }
}

TEST_CASE("train --val: a file overlapping the training rows is warned about, once",
          "[honest][cli]") {
  TempDir dir;
  const std::string ratings =
      dir.write("ratings.csv", "userId,movieId,rating\n1,10,4\n1,20,3\n2,10,5\n2,30,2\n3,20,1\n");
  const std::string other = dir.write("val.csv", "userId,movieId,rating\n1,30,4\n3,10,2\n");
  const std::string mixed = dir.write("mixed.csv", "userId,movieId,rating\n1,30,4\n2,10,2\n");
  dir.write("movies.csv", "movieId,title\n10,Ten\n20,Twenty\n30,Thirty\n");
  const std::string model = dir.file("m.model");
  const std::string warning =
      "are also training rows (same user and movie); the validation "
      "figures are then optimistic";

  const auto same = test_support::run_cli("train " + q(ratings) + " --val " + q(ratings) +
                                          " --model " + q(model) + kQuick);
  REQUIRE(same.code == 0);
  CHECK_THAT(same.err, Contains("warning: " + ratings + ": 5 of 5 validation rows (100.0%) " +
                                warning + "\n"));

  const auto half = test_support::run_cli("train " + q(ratings) + " --val " + q(mixed) +
                                          " --model " + q(model) + kQuick + " --quiet");
  REQUIRE(half.code == 0);
  CHECK(half.err == "warning: " + mixed + ": 1 of 2 validation rows (50.0%) " + warning + "\n");

  const auto apart = test_support::run_cli("train " + q(ratings) + " --val " + q(other) +
                                           " --model " + q(model) + kQuick + " --quiet");
  REQUIRE(apart.code == 0);
  CHECK(apart.err.empty());
}

TEST_CASE("metrics: rows that are training rows of the model are warned about",
          "[honest][cli][metrics]") {
  TempDir dir;
  const std::string model = dir.file("hand.model");
  recsys::save_model(metrics_test::hand_model(), model);
  const std::string optimistic =
      "are training rows of the model (same user and movie); the figures are then optimistic\n";

  // u0 m0 and u2 m2 are training pairs; u1 m0 is not; the unknown user is dropped first.
  const std::string test =
      dir.write("test.csv", "userId,movieId,rating\nu0,m0,4\nu1,m0,3\nu2,m2,5\nnobody,m0,1\n");
  const auto r = test_support::run_cli("metrics --top 3 --ranking --format json --ratings " +
                                       q(test) + " --model " + q(model));
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("warning: " + test + ": 2 of 3 rows (66.7%) " + optimistic));
  CHECK_THAT(r.out, Contains("\"eval_rows\":3"));  // warned about, still scored

  // The hand model's validation rows share no pair with its training rows.
  const std::string fresh = dir.write("fresh.csv", "userId,movieId,rating\nu1,m0,3\n");
  const auto clean =
      test_support::run_cli("metrics --top 3 --ratings " + q(fresh) + " --model " + q(model));
  REQUIRE(clean.code == 0);
  CHECK(clean.err.find("warning") == std::string::npos);
  const auto validation = test_support::run_cli("metrics --top 3 --model " + q(model));
  REQUIRE(validation.code == 0);
  CHECK(validation.err.find("warning") == std::string::npos);
}

TEST_CASE("metrics: a model trained with its training file as --val is warned about",
          "[honest][cli][metrics]") {
  TempDir dir;
  const std::string ratings =
      dir.write("ratings.csv", "userId,movieId,rating\n1,10,4\n1,20,3\n2,10,5\n2,30,2\n3,20,1\n");
  const std::string model = dir.file("m.model");
  REQUIRE(test_support::run_cli("train " + q(ratings) + " --val " + q(ratings) + " --model " +
                                q(model) + kQuick + " --quiet")
              .code == 0);
  const auto r = test_support::run_cli("metrics --ranking --model " + q(model));
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("warning: " + model +
                             ": 5 of 5 validation rows (100.0%) are training rows of the model"));
}
