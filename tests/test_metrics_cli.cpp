// metrics, topn --all-users, similar and export through the recsys binary,
// on the hand-worked model of metrics_model.hpp saved to a model file.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <string>

#include "metrics_model.hpp"
#include "recsys/io/model_file.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using test_support::TempDir;

namespace {

using Result = test_support::CliResult;
Result run_recsys(const std::string& args) { return test_support::run_cli(args); }

// The number after "name": in a flat JSON object; NaN when the key is absent or null.
double json_number(const std::string& json, const std::string& name) {
  const auto at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return std::nan("");
  const std::string rest = json.substr(at + name.size() + 3);
  if (rest.rfind("null", 0) == 0) return std::nan("");
  return std::stod(rest);
}

bool has_key(const std::string& json, const std::string& name) {
  return json.find("\"" + name + "\":") != std::string::npos;
}

struct Fixture {
  TempDir dir;
  std::string model = dir.file("hand.model");
  Fixture() { recsys::save_model(metrics_test::hand_model(), model); }
  std::string m() const { return " --model '" + model + "'"; }
};

}  // namespace

TEST_CASE("metrics --format json: every figure of the hand model", "[cli][metrics]") {
  Fixture f;
  const Result r = run_recsys("metrics --top 3 --format json" + f.m());
  REQUIRE(r.code == 0);
  // One object on one line; the figures worked out in test_metrics.cpp.
  CHECK(r.out.back() == '\n');
  CHECK(json_number(r.out, "k") == 3);
  CHECK(json_number(r.out, "users") == 3);
  CHECK_THAT(r.out, Contains("\"excluded_rated\":true"));
  CHECK(json_number(r.out, "rmse") == Approx(1.5637923608589344).epsilon(1e-6));
  CHECK(json_number(r.out, "mae") == Approx(1.5184801116982722).epsilon(1e-6));
  CHECK(json_number(r.out, "baseline_rmse") == Approx(1.4220087353942013).epsilon(1e-6));
  CHECK(json_number(r.out, "precision_at_k") == Approx(1.0 / 3.0));
  CHECK(json_number(r.out, "recall_at_k") == Approx(1.0));
  CHECK(json_number(r.out, "ndcg_at_k") == Approx((1 / std::log2(3.0) + 1) / 2));
  CHECK(json_number(r.out, "hit_rate_at_k") == Approx(1.0));
  CHECK(json_number(r.out, "map_at_k") == Approx(0.75));
  CHECK(json_number(r.out, "ranking_users") == 2);
  CHECK(json_number(r.out, "diversity") == Approx(1.0 + std::sqrt(2.0) / 6.0));
  CHECK(json_number(r.out, "mean_rating_of_recommended") == Approx(83.0 / 36.0));
  CHECK(json_number(r.out, "novelty") == Approx(std::log2(3.0) - 2.0 / 3.0));
  CHECK(json_number(r.out, "mean_popularity") == Approx(10.0 / 6.0));
  CHECK(json_number(r.out, "coverage") == Approx(0.8));
  CHECK(json_number(r.out, "gini") == Approx(10.0 / 24.0));
}

TEST_CASE("metrics: named figures only, the table, --include-rated", "[cli][metrics]") {
  Fixture f;
  const Result some = run_recsys("metrics --top 3 --diversity --novelty --format json" + f.m());
  REQUIRE(some.code == 0);
  CHECK(has_key(some.out, "diversity"));
  CHECK(has_key(some.out, "novelty"));
  CHECK(has_key(some.out, "mean_rating_of_recommended"));
  CHECK_FALSE(has_key(some.out, "rmse"));
  CHECK_FALSE(has_key(some.out, "ndcg_at_k"));
  CHECK_FALSE(has_key(some.out, "gini"));

  const Result table = run_recsys("metrics --top 3" + f.m());
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Contains("figure"));
  CHECK_THAT(table.out, Contains("ndcg_at_k"));
  CHECK_THAT(table.out, Contains("0.8000"));  // coverage

  const Result incl = run_recsys("metrics --top 3 --include-rated --ranking --format json" + f.m());
  REQUIRE(incl.code == 0);
  CHECK_THAT(incl.out, Contains("\"excluded_rated\":false"));
  CHECK(json_number(incl.out, "ndcg_at_k") == Approx(0.25));
}

TEST_CASE("metrics --ratings: a test file, unknown ids left out", "[cli][metrics]") {
  Fixture f;
  // u1 gives m0 4 stars (logit -0.75 -> 1 + 4 sigmoid(-0.75) = 2.2833); the
  // rows of an unknown user and an unknown movie are dropped with a warning.
  const std::string test =
      f.dir.write("test.csv", "userId,movieId,rating\nu1,m0,4\nnobody,m0,3\nu0,m9,2\n");
  const Result r = run_recsys("metrics --top 3 --accuracy --ranking --format json --ratings '" +
                              test + "'" + f.m());
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("2 of 3 rows"));
  CHECK(json_number(r.out, "eval_rows") == 1);
  const double predicted = 1 + 4 / (1 + std::exp(0.75));
  CHECK(json_number(r.out, "rmse") == Approx(4 - predicted).epsilon(1e-6));
  // u1's ranking list leaves out training (i1, i4) and validation movies
  // but keeps the test movie: [i3 0.75, i2 0.25, i0 -0.75]; i0 at rank 3.
  CHECK(json_number(r.out, "ranking_users") == 1);
  CHECK(json_number(r.out, "ndcg_at_k") == Approx(0.5));
  CHECK(json_number(r.out, "map_at_k") == Approx(1.0 / 3.0));
}

TEST_CASE("metrics: the popularity yardstick in the JSON and the table",
          "[cli][metrics][popularity]") {
  Fixture f;
  // The figures worked out in test_metrics.cpp's popularity tests.
  const Result r = run_recsys("metrics --top 3 --format json" + f.m());
  REQUIRE(r.code == 0);
  const std::string block = "\"baselines\":{\"popularity\":{";
  const auto at = r.out.find(block);
  REQUIRE(at != std::string::npos);
  // Last in the object, after every field the JSON had before it.
  const std::string before = r.out.substr(0, at);
  const std::string popular = r.out.substr(at + block.size());
  CHECK_THAT(before, Contains("\"distinct_recommended\":4,"));
  CHECK(popular.substr(popular.size() - 4) == "}}}\n");
  CHECK(popular.find('{') == std::string::npos);
  for (const char* name : {"precision_at_k", "recall_at_k", "ndcg_at_k", "hit_rate_at_k",
                           "map_at_k", "diversity", "novelty", "mean_rating_of_recommended",
                           "mean_popularity", "coverage", "gini", "distinct_recommended"})
    CHECK(has_key(popular, name));
  for (const char* name : {"rmse", "baseline_rmse", "relevant", "ranking_users", "diversity_users"})
    CHECK_FALSE(has_key(popular, name));
  CHECK(json_number(popular, "ndcg_at_k") == Approx((1 + 1 / std::log2(3.0)) / 2));
  CHECK(json_number(popular, "map_at_k") == Approx(0.75));
  CHECK(json_number(popular, "gini") == Approx(10.0 / 24.0));

  // Rated movies included: every list [i0, i1, i2]; the model's nDCG is 0.25.
  const Result incl =
      run_recsys("metrics --top 3 --include-rated --ranking --coverage --format json" + f.m());
  REQUIRE(incl.code == 0);
  const std::string incl_popular = incl.out.substr(incl.out.find(block));
  CHECK(json_number(incl.out, "ndcg_at_k") == Approx(0.25));
  CHECK(json_number(incl_popular, "ndcg_at_k") == Approx(0.5 / std::log2(3.0)));
  CHECK(json_number(incl_popular, "map_at_k") == Approx(0.25));
  CHECK(json_number(incl_popular, "coverage") == Approx(0.6));
  CHECK(json_number(incl_popular, "distinct_recommended") == 3);
  CHECK_FALSE(has_key(incl_popular, "diversity"));

  // A test file: popularity from the training rows alone; u0 and u1 each
  // find i3 third (the model: u1's i3 first, u0's second).
  const std::string test = f.dir.write("test.csv", "userId,movieId,rating\nu0,m3,4\nu1,m3,5\n");
  const Result on_test =
      run_recsys("metrics --top 3 --ranking --format json --ratings '" + test + "'" + f.m());
  REQUIRE(on_test.code == 0);
  const std::string test_popular = on_test.out.substr(on_test.out.find(block));
  CHECK(json_number(on_test.out, "ndcg_at_k") == Approx((1 + 1 / std::log2(3.0)) / 2));
  CHECK(json_number(test_popular, "ndcg_at_k") == Approx(0.5));

  // Accuracy alone has no list to compare: no block.
  const Result accuracy = run_recsys("metrics --top 3 --accuracy --format json" + f.m());
  REQUIRE(accuracy.code == 0);
  CHECK_FALSE(has_key(accuracy.out, "baselines"));

  // The table: a popularity column beside the value, "-" where it has no figure.
  const Result table = run_recsys("metrics --top 3 --include-rated --accuracy --ranking" + f.m());
  REQUIRE(table.code == 0);
  CHECK(table.out ==
        "figure           value  popularity  what it is\n"
        "k                    3           -  list length\n"
        "users                3           -  each with a top-3 list, rated movies included\n"
        "rmse            1.5638           -  stars, on 3 validation rows\n"
        "mae             1.5185           -  stars, on 3 validation rows\n"
        "baseline_rmse   1.4220           -  stars, predicting the training mean (3.286) for "
        "every row\n"
        "precision_at_k  0.1667      0.1667  relevant movies in the list / k, over 2 users with a "
        "validation rating >= 4.0\n"
        "recall_at_k     0.5000      0.5000  relevant movies in the list / the user's relevant "
        "movies\n"
        "ndcg_at_k       0.2500      0.3155  discounted cumulative gain / its best possible value\n"
        "hit_rate_at_k   0.5000      0.5000  share of users with a relevant movie in the list\n"
        "map_at_k        0.1667      0.2500  mean average precision\n");
}

TEST_CASE("metrics: bad options are errors with exit code 2", "[cli][metrics]") {
  Fixture f;
  const Result k0 = run_recsys("metrics --top 0" + f.m());
  CHECK(k0.code == 2);
  CHECK_THAT(k0.err, Contains("--top must be at least 1"));
  CHECK(k0.out.empty());
  const Result missing = run_recsys("metrics --ratings '" + f.dir.file("none.csv") + "'" + f.m());
  CHECK(missing.code == 2);
  CHECK(missing.out.empty());
}

TEST_CASE("topn --all-users writes every user's list", "[cli][topn]") {
  Fixture f;
  const Result r = run_recsys("topn --all-users -n 3 --format csv" + f.m());
  REQUIRE(r.code == 0);
  // Lists [i2, i4], [i3, i2, i0], [i4]; score = 1 + 4 sigmoid(logit).
  CHECK(r.out ==
        "userId,rank,movieId,score\n"
        "u0,1,m2,4.8103\n"    // logit 3
        "u0,2,m4,1.4768\n"    // logit -2
        "u1,1,m3,3.7167\n"    // logit 0.75
        "u1,2,m2,3.2487\n"    // logit 0.25
        "u1,3,m0,2.2833\n"    // logit -0.75
        "u2,1,m4,1.4768\n");  // logit -2 (u2's bias -1: 1 - 1 - 2)
  const Result incl = run_recsys("topn --all-users -n 1 --include-rated --format csv" + f.m());
  REQUIRE(incl.code == 0);
  CHECK(incl.out == "userId,rank,movieId,score\nu0,1,m2,4.8103\nu1,1,m1,4.1092\nu2,1,m2,3.9242\n");
  const Result json = run_recsys("topn --all-users -n 2 --format json" + f.m());
  REQUIRE(json.code == 0);
  CHECK_THAT(json.out,
             Contains("{\"userId\":\"u2\",\"recommendations\":[{\"rank\":1,\"movieId\":\"m4\""));

  const Result neither = run_recsys("topn --format csv" + f.m());
  CHECK(neither.code == 2);
  CHECK_THAT(neither.err, Contains("--rated FILE or --all-users"));
  const Result both = run_recsys("topn --user u0 --all-users" + f.m());
  CHECK(both.code == 2);
  // The single-user path is unchanged.
  const Result one = run_recsys("topn --user u1 -n 2 --format csv" + f.m());
  REQUIRE(one.code == 0);
  CHECK(one.out ==
        "rank,movieId,title,score\n1,m3,Three,3.7167\n2,m2,\"Two \"\"quoted\"\"\",3.2487\n");
}

TEST_CASE("similar --movie: nearest by cosine, with titles", "[cli][similar]") {
  Fixture f;
  const Result r = run_recsys("similar --movie m0 -n 2 --min-ratings 0 --format csv" + f.m());
  REQUIRE(r.code == 0);
  // From i0 = (1,0): i2 (1,1) at cosine 0.7071, then i1 (0,1) at 0 before the zero vector i3.
  CHECK(r.out ==
        "rank,movieId,title,cosine\n1,m2,\"Two \"\"quoted\"\"\",0.7071\n2,m1,\"One, with "
        "comma\",0.0000\n");
  const Result table = run_recsys("similar --movie m0 -n 1 --min-ratings 0" + f.m());
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Contains("Two \"quoted\""));
  const Result unknown = run_recsys("similar --movie m9" + f.m());
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Contains("movie 'm9' is not in this model"));
}

TEST_CASE("similar --min-ratings: neighbours need that many training ratings", "[cli][similar]") {
  Fixture f;
  // Users with a training row of each movie: m0 2, m1 2, m2 1, m3 0, m4 1.
  // From m0 = (1,0): m2 0.7071, m1 0, m3 0 (zero vector), m4 -1.
  const Result one = run_recsys("similar --movie m0 --min-ratings 1 -n 3 --format csv" + f.m());
  REQUIRE(one.code == 0);
  CHECK(one.out ==
        "rank,movieId,title,cosine\n1,m2,\"Two \"\"quoted\"\"\",0.7071\n2,m1,\"One, with "
        "comma\",0.0000\n3,m4,,-1.0000\n");
  CHECK(one.err.empty());

  const Result two = run_recsys("similar --movie m0 --min-ratings 2 --format json" + f.m());
  REQUIRE(two.code == 0);
  CHECK_THAT(two.out, Contains("\"movieId\":\"m0\",\"title\":\"Zero (2000)\",\"min_ratings\":2,"));
  CHECK_THAT(two.out, Contains("\"similar\":[{\"rank\":1,\"movieId\":\"m1\""));
  CHECK(two.out.find("\"rank\":2") == std::string::npos);
  CHECK(two.err == "warning: " + f.model +
                       ": only 1 other movie has at least 2 training ratings; lower --min-ratings "
                       "for more\n");

  // The default asks for 20: none of these movies has that many.
  const Result none = run_recsys("similar --movie m0 --format csv" + f.m());
  REQUIRE(none.code == 0);
  CHECK(none.out == "rank,movieId,title,cosine\n");
  CHECK_THAT(none.err, Contains("no other movie has at least 20 training ratings"));

  const Result negative = run_recsys("similar --movie m0 --min-ratings -1" + f.m());
  CHECK(negative.code == 2);
  CHECK(negative.err == "recsys: --min-ratings must be 0 or more\n");
  CHECK(negative.out.empty());
}

TEST_CASE("similar --title: one match is used, several are listed, none is an error",
          "[cli][similar]") {
  Fixture f;
  // Titles: m0 "Zero (2000)", m1 "One, with comma", m2 "Two "quoted"", m3 "Three", m4 none.
  const Result two = run_recsys("similar --title tWO -n 1 --min-ratings 0 --format csv" + f.m());
  REQUIRE(two.code == 0);
  // From m2 = (1,1): m0 and m1 both at 0.7071, the lower index first.
  CHECK(two.out == "rank,movieId,title,cosine\n1,m0,Zero (2000),0.7071\n");
  const Result by_id = run_recsys("similar --movie m2 -n 1 --min-ratings 0 --format csv" + f.m());
  CHECK(by_id.out == two.out);

  // "o" is in three titles; the most rated (training pairs 2, 2, 1) come first.
  const Result several = run_recsys("similar --title o" + f.m());
  CHECK(several.code == 2);
  CHECK(several.out.empty());
  CHECK(several.err == "recsys: " + f.model +
                           ": 'o' matches 3 titles (movieId title, most rated first): m0 Zero "
                           "(2000); m1 One, with comma; m2 Two \"quoted\"; give --movie ID or "
                           "more of the title\n");

  const Result none = run_recsys("similar --title Zorro" + f.m());
  CHECK(none.code == 2);
  CHECK(none.out.empty());
  CHECK(none.err == "recsys: " + f.model +
                        ": no title contains 'Zorro' (case ignored); try a shorter part of it\n");

  for (const std::string args : {"", " --movie m0 --title Zero"}) {
    const Result r = run_recsys("similar" + args + f.m());
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "recsys: give either --movie ID or --title TEXT\n");
  }
}

TEST_CASE("similar --title: a model without titles says to use --movie", "[cli][similar]") {
  TempDir dir;
  auto m = metrics_test::hand_model();
  m.titles.assign(m.titles.size(), "");
  const std::string model = dir.file("untitled.model");
  recsys::save_model(m, model);
  const Result r = run_recsys("similar --title Zero --model '" + model + "'");
  CHECK(r.code == 2);
  CHECK(r.err == "recsys: " + model +
                     ": this model has no titles (it was trained without a movies file); give "
                     "--movie ID\n");
}

TEST_CASE("export --what items|users writes the exact weights", "[cli][export]") {
  Fixture f;
  const Result items = run_recsys("export --what items" + f.m());
  REQUIRE(items.code == 0);
  CHECK(items.out ==
        "movieId,title,bias,e0,e1\n"
        "m0,Zero (2000),0,1,0\n"
        "m1,\"One, with comma\",0,0,1\n"
        "m2,\"Two \"\"quoted\"\"\",0,1,1\n"
        "m3,Three,0.5,0,0\n"
        "m4,,0,-1,0\n");
  const Result users = run_recsys("export --what users --format tsv" + f.m());
  REQUIRE(users.code == 0);
  CHECK(users.out == "userId\tbias\te0\te1\nu0\t0\t2\t1\nu1\t0.25\t-1\t1\nu2\t-1\t1\t1\n");
  const Result bad = run_recsys("export --what genres" + f.m());
  CHECK(bad.code == 2);
}

TEST_CASE("export prints floats that read back bit for bit", "[cli][export]") {
  TempDir dir;
  auto m = metrics_test::hand_model();
  m.tables.item_vec[0] = 0.1f;
  m.tables.item_vec[1] = -1.17549435e-38f;
  m.tables.item_bias[0] = 123456.789f;
  const std::string path = dir.file("odd.model");
  recsys::save_model(m, path);
  const Result r = run_recsys("export --what items --model '" + path + "'");
  REQUIRE(r.code == 0);
  const std::string first = r.out.substr(
      r.out.find('\n') + 1, r.out.find('\n', r.out.find('\n') + 1) - r.out.find('\n') - 1);
  // m0,Zero (2000),bias,e0,e1
  const auto fields = first.substr(first.find("),") + 2);
  const float bias = std::stof(fields.substr(0, fields.find(',')));
  const std::string rest = fields.substr(fields.find(',') + 1);
  const float e0 = std::stof(rest.substr(0, rest.find(',')));
  const float e1 = std::strtof(rest.substr(rest.find(',') + 1).c_str(), nullptr);
  CHECK(bias == 123456.789f);
  CHECK(e0 == 0.1f);
  CHECK(e1 == -1.17549435e-38f);
}
