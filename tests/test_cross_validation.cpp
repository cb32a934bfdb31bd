// Cross-validation: how folds are cut (sizes, time order, determinism), that
// each fold trains on the others and is scored on itself, and the command's
// table and JSON (mean and standard deviation of the folds' figures).
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "recsys/train/cross_validation.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::run_recsys;
using recsys::Split;

namespace {

// 4 users with 10, 7, 3 and 1 ratings; timestamps run backwards in file order.
recsys::Ratings rows_of(std::vector<std::int64_t>& times) {
  recsys::Ratings r;
  const int counts[] = {10, 7, 3, 1};
  std::int64_t t = 1000;
  for (std::uint32_t u = 0; u < 4; ++u)
    for (int k = 0; k < counts[u]; ++k) {
      r.push(u, std::uint32_t(k), 3);
      times.push_back(t--);
    }
  return r;
}

}  // namespace

TEST_CASE("random folds are equal in size, cover every row and follow the seed") {
  std::vector<std::int64_t> times;
  const recsys::Ratings rows = rows_of(times);
  const auto a = recsys::assign_folds(rows, {}, Split::Random, 5, 42, 4);
  const auto b = recsys::assign_folds(rows, {}, Split::Random, 5, 42, 4);
  const auto c = recsys::assign_folds(rows, {}, Split::Random, 5, 43, 4);
  CHECK(a == b);
  CHECK(a != c);
  std::map<std::uint32_t, int> size;
  for (const auto f : a) ++size[f];
  REQUIRE(size.size() == 5u);
  for (const auto& [fold, n] : size) CHECK((n == 4 || n == 5));  // 21 rows
}

TEST_CASE("user-time folds cut each user's ratings into runs in time order") {
  std::vector<std::int64_t> times;
  const recsys::Ratings rows = rows_of(times);
  const auto fold = recsys::assign_folds(rows, times, Split::UserTime, 3, 42, 4);
  // User 0: 10 ratings, latest first in the file: runs of 4, 3, 3 from the earliest.
  const std::vector<std::uint32_t> user0(fold.begin(), fold.begin() + 10);
  CHECK(user0 == std::vector<std::uint32_t>{2, 2, 2, 1, 1, 1, 0, 0, 0, 0});
  // User 2: 3 ratings, one per fold; user 3: one rating, in the first fold.
  CHECK(std::vector<std::uint32_t>(fold.begin() + 17, fold.end()) ==
        std::vector<std::uint32_t>{2, 1, 0, 0});
  const auto global = recsys::assign_folds(rows, times, Split::Time, 3, 42, 4);
  CHECK(global.front() == 2u);  // the latest rating of all
  CHECK(global.back() == 0u);   // the earliest
  CHECK(
      test_support::error_from([&] { recsys::assign_folds(rows, {}, Split::UserTime, 3, 42, 4); }));
}

TEST_CASE("each fold trains on the others and beats the constant on its own rows") {
  recsys::CrossValidationOptions o;
  o.files.ratings_path = RECSYS_SOURCE_DIR "/data/ratings.csv";
  o.config = recsys::TrainConfig::from_preset("default", recsys::Objective::Rating);
  o.config.epochs = 10;
  o.config.threads = 1;
  o.folds = 4;
  std::vector<int> seen;
  const auto folds =
      recsys::cross_validate(o, [&](const recsys::FoldReport& r) { seen.push_back(r.fold); });
  REQUIRE(folds.size() == 4u);
  CHECK(seen == std::vector<int>{1, 2, 3, 4});
  std::size_t tested = 0;
  for (const auto& f : folds) {
    INFO("fold " << f.fold);
    CHECK(f.train_rows + f.test_rows == 20000u);
    CHECK(f.epochs == 10);  // early stopping is off
    CHECK(f.figures.accuracy.rmse < f.figures.baseline.rmse);
    CHECK(std::isfinite(f.figures.ranking.ndcg));
    tested += f.test_rows;
  }
  CHECK(tested == 20000u);  // every rating is tested once
}

TEST_CASE("recsys cv prints each fold with the mean and standard deviation") {
  const std::string data = q(RECSYS_SOURCE_DIR "/data/ratings.csv");
  const auto r = run_recsys("cv " + data + " --folds 3 --epochs 5 --format json");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The three folds' ndcg, then the mean: checked against their average.
  std::vector<double> ndcg;
  for (std::size_t at = r.out.find("\"ndcg\":"); at != std::string::npos;
       at = r.out.find("\"ndcg\":", at + 1))
    ndcg.push_back(std::stod(r.out.substr(at + 7)));
  REQUIRE(ndcg.size() == 5u);  // 3 folds, mean, std
  const double mean = (ndcg[0] + ndcg[1] + ndcg[2]) / 3;
  CHECK(ndcg[3] == Approx(mean).epsilon(1e-12));
  double squares = 0;
  for (int k = 0; k < 3; ++k)
    squares += (ndcg[std::size_t(k)] - mean) * (ndcg[std::size_t(k)] - mean);
  CHECK(ndcg[4] == Approx(std::sqrt(squares / 3)).margin(1e-12));
  CHECK_THAT(r.out, Contains("\"folds_count\":3"));

  const auto t = run_recsys("cv " + data + " --folds 2 --epochs 3 --objective rating");
  REQUIRE(t.code == 0);
  CHECK_THAT(t.out, Contains("rmse"));
  CHECK_THAT(t.out, Contains("\nmean "));
  CHECK_THAT(t.err, Contains("early stopping is off in cross-validation"));

  check_failure(run_recsys("cv " + data + " --folds 1"), 2, "", {"--folds must be at least 2"});
  test_support::TempDir dir;
  const std::string bad = dir.write("bad.csv", "userId,movieId,rating\n1,2,x\n");
  check_failure(run_recsys("cv " + q(bad)), 2, bad + ":2:", {"is not a number"});
}
