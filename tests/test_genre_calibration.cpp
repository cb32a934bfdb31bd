// Calibrated lists (eval/genre_calibration): genre mixes, the KL figure and
// Steck's greedy re-ranking worked out by hand; metrics --calibration and
// topn --calibrate through the binary on the hand model of metrics_model.hpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "metrics_model.hpp"
#include "recsys/eval/genre_calibration.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/util/error.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using recsys::GenreIndex;

namespace {

const std::vector<std::string> kGenres = {"A|B", "(no genres listed)", "", "B|A|B", "C"};

std::vector<std::size_t> order_of(const GenreIndex& g, const std::vector<double>& p,
                                  const std::vector<float>& scores, std::size_t n, double lambda) {
  std::vector<std::uint32_t> items(scores.size());
  for (std::uint32_t i = 0; i < items.size(); ++i) items[i] = i;
  return recsys::calibrated_order(g, p, items, scores, n, lambda);
}

}  // namespace

TEST_CASE("genres are read once per film, MovieLens' placeholder as none") {
  const GenreIndex g(kGenres);
  CHECK(g.any());
  CHECK(g.n_genres() == 3);
  CHECK(g.of(0).size() == 2);
  CHECK(g.of(1).empty());
  CHECK(g.of(2).empty());
  CHECK(g.of(3).size() == 2);  // B, A: the repeated B once
  CHECK(g.of(99).empty());
  const std::vector<std::string> none = {"", "(no genres listed)"};
  CHECK_FALSE(GenreIndex(none).any());
  CHECK_THROWS_WITH(GenreIndex::required(none), Contains("holds none (train with --movies FILE)"));
}

TEST_CASE("a set's genre mix and a list's miscalibration, by hand") {
  const GenreIndex g(kGenres);
  // Ids in order of first sight: A 0, B 1, C 2.
  const std::vector<std::uint32_t> mixed = {0, 4, 1};  // film 1 has no genre: left out
  const auto p = recsys::genre_mix(g, mixed);
  REQUIRE(p.size() == 3);
  CHECK(p[0] == Approx(0.25));
  CHECK(p[1] == Approx(0.25));
  CHECK(p[2] == Approx(0.5));
  CHECK(recsys::genre_mix(g, std::vector<std::uint32_t>{1, 2}) == std::vector<double>(3, 0.0));

  // The list {C}: q~ = 0.99 q + 0.01 p.
  const double kl = 2 * 0.25 * std::log(0.25 / 0.0025) + 0.5 * std::log(0.5 / (0.99 + 0.005));
  CHECK(recsys::miscalibration(g, p, std::vector<std::uint32_t>{4}) == Approx(kl));
  CHECK(recsys::miscalibration(g, p, std::vector<std::uint32_t>{0, 4}) == Approx(0.0));
  // A list with no genre at all is as far as the mix term allows: ln(1 / 0.01).
  CHECK(recsys::miscalibration(g, p, std::vector<std::uint32_t>{1}) == Approx(std::log(100.0)));
  CHECK(recsys::miscalibration(g, std::vector<double>(3, 0.0), std::vector<std::uint32_t>{4}) ==
        0.0);
}

TEST_CASE("the greedy re-ranking trades score for the user's genre mix") {
  // Three dramas score best, two animated films worst; the user rated only
  // animated films. Scaled scores: 1, 0.75, 0.5, 0.25, 0.
  const std::vector<std::string> genres = {"Drama", "Drama", "Drama", "Animation", "Animation"};
  const GenreIndex g(genres);
  const auto p = recsys::genre_mix(g, std::vector<std::uint32_t>{3});
  const std::vector<float> scores = {5, 4, 3, 2, 1};
  CHECK(order_of(g, p, scores, 2, 0.0) == std::vector<std::size_t>{0, 1});
  CHECK(order_of(g, p, scores, 2, 1.0) == std::vector<std::size_t>{3, 4});
  // lambda 0.5. First pick: a drama scores 0.5 - 0.5 ln(100) < 0; film 3
  // scores 0.5 * 0.25 with KL 0. Second: film 0, KL ln(1 / 0.505) with the
  // mix half animated, scores 0.5 - 0.5 * 0.684 = 0.158 > film 4's 0.
  CHECK(order_of(g, p, scores, 2, 0.5) == std::vector<std::size_t>{0, 3});
  // lambda 0.9: film 0 now scores 0.1 - 0.9 * 0.684 < 0, film 4 still 0.
  CHECK(order_of(g, p, scores, 2, 0.9) == std::vector<std::size_t>{3, 4});
  // n past the candidates: every candidate, in the model's order.
  CHECK(order_of(g, p, scores, 9, 0.5) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  // Equal scores: the scaling's zero range counts every score as 1.
  CHECK(order_of(g, p, {2, 2, 2, 2, 2}, 1, 0.5) == std::vector<std::size_t>{3});
}

TEST_CASE("the re-ranking copes with no candidates, scores that are not numbers, no profile") {
  const std::vector<std::string> genres = {"Drama", "Drama", "Animation", "Animation"};
  const GenreIndex g(genres);
  const auto p = recsys::genre_mix(g, std::vector<std::uint32_t>{2});
  CHECK(recsys::calibrated_order(g, p, {}, {}, 3, 0.5).empty());
  // A NaN score counts as the lowest: with lambda 0.2 the scores decide
  // between the two animated films (film 4, past the index, has no genre).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(order_of(g, p, {4, 3, nan, 2, 1}, 1, 0.2) == std::vector<std::size_t>{3});
  CHECK(order_of(g, p, {4, 3, 2, nan, 1}, 1, 0.2) == std::vector<std::size_t>{2});
  CHECK(order_of(g, p, {nan, nan, nan, nan}, 2, 0.5).size() == 2);
  // No profile (a user past the profiles): nothing to follow, the scores decide.
  CHECK(order_of(g, {}, {4, 3, 2, 1}, 2, 0.5) == std::vector<std::size_t>{0, 1});
  // An item past the index has no genres, whatever its number.
  CHECK(g.of(std::numeric_limits<std::uint32_t>::max()).empty());
}

TEST_CASE("calibrate_lists re-ranks every user's list, and mean_miscalibration by hand") {
  const std::vector<std::string> genres = {"Drama", "Drama", "Animation", "Animation"};
  const GenreIndex g(genres);
  recsys::TopNLists pools;
  pools.k = pools.stride = 4;
  pools.length = {4, 4};
  pools.items = {0, 1, 2, 3, 2, 3, 0, 1};
  pools.logits = {4, 3, 2, 1, 4, 3, 2, 1};
  recsys::Ratings rated;
  rated.push(0, 3, 5);  // user 0 rated an animated film
  rated.push(1, 0, 5);  // user 1 a drama
  const auto profiles = recsys::RatedItems::build(2, rated);
  const recsys::TopNLists out = recsys::calibrate_lists(pools, g, profiles, 2, 1.0);
  REQUIRE(out.stride == 2);
  CHECK(std::vector<std::uint32_t>(out.of(0).begin(), out.of(0).end()) ==
        std::vector<std::uint32_t>{2, 3});
  CHECK(std::vector<std::uint32_t>(out.of(1).begin(), out.of(1).end()) ==
        std::vector<std::uint32_t>{0, 1});
  CHECK(std::vector<float>(out.logits_of(1).begin(), out.logits_of(1).end()) ==
        std::vector<float>{2, 1});
  CHECK(recsys::mean_miscalibration(out, g, profiles) == Approx(0.0));
  // Uncalibrated top 2: each list the other genre, KL ln(100) for both.
  const recsys::TopNLists plain = recsys::calibrate_lists(pools, g, profiles, 2, 0.0);
  std::vector<double> each;
  CHECK(recsys::mean_miscalibration(plain, g, profiles, &each) == Approx(std::log(100.0)));
  REQUIRE(each.size() == 2);
  CHECK(each[0] == Approx(std::log(100.0)));
  CHECK(each[1] == Approx(std::log(100.0)));
}

TEST_CASE("metrics --calibration and topn --calibrate on the hand model", "[cli]") {
  test_support::TempDir dir;
  const std::string model = dir.file("hand.model");
  recsys::TrainedModel m = metrics_test::hand_model();
  recsys::save_model(m, model);
  using hardening::q;
  // Lists (top 3, rated films left out): u0 [i2 i4], u1 [i3 i2 i0], u2 [i4];
  // training mixes u0 {A}, u1 {B} (i4 has no genre), u2 {A .5, B .5}.
  const auto r =
      hardening::run_recsys("metrics --top 3 --calibration --format json --model " + q(model));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const double expected =
      (std::log(1 / 0.505) + std::log(1 / (0.99 * 0.25 + 0.01)) + std::log(100.0)) / 3;
  const auto at = r.out.find("\"miscalibration\":");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(r.out.substr(at + 17)) == Approx(expected));

  // Top 1 calibrated with lambda 1: u0 i2 (KL ln(1 / 0.505)) as before; u1
  // i2 (A|B) for its best film i3, which has no genre; u2 can only choose
  // between films without genres, so keeps i3 (ln 100).
  const auto miscalibration_of = [](const std::string& json) {
    const auto at = json.find("\"miscalibration\":");
    REQUIRE(at != std::string::npos);
    return std::stod(json.substr(at + 17));
  };
  const auto top1 = hardening::run_recsys(
      "metrics --top 1 --calibration --calibrate 1 --format json --model " + q(model));
  INFO(top1.err);
  REQUIRE(top1.code == 0);
  CHECK_THAT(top1.out, Contains("\"calibrate\":1"));
  CHECK(miscalibration_of(top1.out) == Approx((2 * std::log(1 / 0.505) + std::log(100.0)) / 3));
  const auto top1_plain =
      hardening::run_recsys("metrics --top 1 --calibration --format json --model " + q(model));
  CHECK(miscalibration_of(top1_plain.out) ==
        Approx((std::log(1 / 0.505) + 2 * std::log(100.0)) / 3));

  // u1's best film i3 has no genre; with lambda 1 the top 1 is i2 (A|B) instead.
  const auto plain =
      hardening::run_recsys("topn --all-users --top 1 --format csv --model " + q(model));
  CHECK_THAT(plain.out, Contains("u1,1,m3,"));
  const auto calibrated = hardening::run_recsys(
      "topn --all-users --top 1 --calibrate 1 --format csv --model " + q(model));
  CHECK_THAT(calibrated.out, Contains("u1,1,m2,"));
  const auto as_json = hardening::run_recsys(
      "topn --all-users --top 1 --calibrate 1 --format json --model " + q(model));
  CHECK_THAT(as_json.out, Contains("\"calibrate\":1,"));
  const auto one = hardening::run_recsys(
      "topn --user u1 --top 1 --calibrate 1 --format csv --model " + q(model));
  CHECK_THAT(one.out, Contains(",m2,"));

  hardening::check_failure(
      hardening::run_recsys("topn --user u1 --calibrate 1.5 --model " + q(model)), 2, "",
      {"--calibrate must be between 0 and 1"});
  m.genres.assign(5, "");
  const std::string bare = dir.file("bare.model");
  recsys::save_model(m, bare);
  hardening::check_failure(hardening::run_recsys("metrics --calibrate 0.5 --model " + q(bare)), 2,
                           "", {"calibrated lists need the movies' genres"});
  // Without genres the figure has no value, and nothing fails.
  const auto none = hardening::run_recsys("metrics --calibration --format json --model " + q(bare));
  CHECK(none.code == 0);
  CHECK_THAT(none.out, Contains("\"miscalibration\":null"));
}
