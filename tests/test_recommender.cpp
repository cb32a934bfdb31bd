// recommend(): a user's best items on hand-built models.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "recsys/eval/recommender.hpp"
#include "recsys/util/rng.hpp"

using recsys::Recommendation;
using recsys::TrainedModel;

namespace {

std::vector<std::string> names(const std::string& prefix, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(prefix + std::to_string(k));
  return out;
}

// dim 1, 3 users, 6 items; stars 1..5.
//   user 0: vec 1, bias 0.25   user 1: vec 0.5, bias 0   user 2: vec -1, bias 0
//   items:  vec 0.5, 2, -1, 2, 1.5, 0; bias 0, 0, 0, 0, 0, 0.25
// User 0's logits: 0.75, 2.25, -0.75, 2.25, 1.75, 0.5 (items 1 and 3 tie exactly).
// User 0 rated item 4 in training and item 0 in validation. User 1 rated items
// 0..3 in training and 4 in validation. User 2 rated all six in training.
TrainedModel hand_model() {
  TrainedModel m;
  m.scaler = {1.0, 5.0};
  m.users = recsys::IdMap::from_tokens(names("u", 3));
  m.items = recsys::IdMap::from_tokens(names("i", 6));
  m.titles.assign(6, "");
  m.genres.assign(6, "");
  auto& e = m.tables;
  e.dim = 1;
  e.n_users = 3;
  e.n_items = 6;
  e.user_vec = {1.0f, 0.5f, -1.0f};
  e.user_bias = {0.25f, 0.0f, 0.0f};
  e.item_vec = {0.5f, 2.0f, -1.0f, 2.0f, 1.5f, 0.0f};
  e.item_bias = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.25f};
  recsys::Ratings train;
  train.push(0, 4, 4.0f);
  for (std::uint32_t i = 0; i < 4; ++i) train.push(1, i, 3.0f);
  for (std::uint32_t i = 0; i < 6; ++i) train.push(2, i, 2.0f);
  m.train_rated = recsys::RatedItems::build(3, train);
  m.validation.push(0, 0, 5.0f);
  m.validation.push(1, 4, 1.0f);
  m.index_validation();
  return m;
}

std::vector<std::uint32_t> items_of(const std::vector<Recommendation>& recs) {
  std::vector<std::uint32_t> out;
  for (const auto& r : recs) out.push_back(r.item);
  return out;
}

double stars_of(double logit) { return 1.0 + 4.0 / (1.0 + std::exp(-logit)); }

}  // namespace

TEST_CASE("recommend ranks by score and leaves out training and validation items",
          "[recommender]") {
  const TrainedModel m = hand_model();
  const auto recs = recsys::recommend(m, 0, 10, false);
  // Unrated items 1 (2.25), 3 (2.25), 5 (0.5), 2 (-0.75); 4 (training) and 0 (validation) left out.
  REQUIRE(items_of(recs) == std::vector<std::uint32_t>{1, 3, 5, 2});
  const double logits[] = {2.25, 2.25, 0.5, -0.75};
  for (std::size_t r = 0; r < recs.size(); ++r) {
    INFO("rank " << r + 1);
    CHECK(recs[r].logit == Approx(logits[r]).margin(1e-6));
    // stars = 1 + 4 * sigmoid(logit): 4.6186, 4.6186, 3.4898, 2.2833
    CHECK(recs[r].stars == Approx(stars_of(logits[r])).epsilon(1e-6));
    CHECK(recs[r].stars ==
          Approx(m.scaler.to_stars(recsys::Embeddings::sigmoid(recs[r].logit))).epsilon(1e-6));
  }
  CHECK(recs[0].stars == Approx(4.6186).margin(1e-4));
  CHECK(recs[2].stars == Approx(3.4898).margin(1e-4));
  CHECK(recs[3].stars == Approx(2.2833).margin(1e-4));
}

TEST_CASE("recommend returns the first n only", "[recommender]") {
  const TrainedModel m = hand_model();
  CHECK(items_of(recsys::recommend(m, 0, 1, false)) == std::vector<std::uint32_t>{1});
  CHECK(items_of(recsys::recommend(m, 0, 2, false)) == std::vector<std::uint32_t>{1, 3});
  CHECK(items_of(recsys::recommend(m, 0, 3, false)) == std::vector<std::uint32_t>{1, 3, 5});
  CHECK(recsys::recommend(m, 0, 0, false).empty());
}

TEST_CASE("include_rated keeps the user's rated items", "[recommender]") {
  const TrainedModel m = hand_model();
  // All six by logit: 1 (2.25), 3 (2.25), 4 (1.75), 0 (0.75), 5 (0.5), 2 (-0.75)
  const auto recs = recsys::recommend(m, 0, 10, true);
  CHECK(items_of(recs) == std::vector<std::uint32_t>{1, 3, 4, 0, 5, 2});
  CHECK(recs[2].stars == Approx(stars_of(1.75)).epsilon(1e-6));
  CHECK(items_of(recsys::recommend(m, 2, 2, true)) == std::vector<std::uint32_t>{2, 5});
}

TEST_CASE("a user who rated nearly everything gets fewer than n", "[recommender]") {
  const TrainedModel m = hand_model();
  // User 1 rated 0..3 (training) and 4 (validation): only item 5 is left.
  const auto recs = recsys::recommend(m, 1, 3, false);
  REQUIRE(recs.size() == 1u);
  CHECK(recs[0].item == 5u);
  CHECK(recs[0].logit == Approx(0.25).margin(1e-6));  // 0.5 * 0 + 0 + 0.25
  CHECK(recs[0].stars == Approx(stars_of(0.25)).epsilon(1e-6));
  // User 2 rated everything.
  CHECK(recsys::recommend(m, 2, 5, false).empty());
}

TEST_CASE("exact ties go to the lower item index", "[recommender]") {
  // 40 items with identical rows: every score ties, so the order is the index order
  // whatever the selection algorithm does; the user rated items 0 and 5.
  TrainedModel m;
  m.scaler = {0.5, 5.0};
  m.users = recsys::IdMap::from_tokens({"u"});
  m.items = recsys::IdMap::from_tokens(names("i", 40));
  m.titles.assign(40, "");
  m.genres.assign(40, "");
  auto& e = m.tables;
  e.dim = 4;
  e.n_users = 1;
  e.n_items = 40;
  e.user_vec = {0.5f, -0.25f, 1.0f, 0.125f};
  e.user_bias = {0.5f};
  for (int i = 0; i < 40; ++i) e.item_vec.insert(e.item_vec.end(), {1.0f, 2.0f, -0.5f, 4.0f});
  e.item_bias.assign(40, 0.25f);
  // Items 30 and 35 score higher; item 33 lower.
  e.item_bias[35] = 1.0f;
  e.item_bias[30] = 1.0f;
  e.item_bias[33] = -1.0f;
  recsys::Ratings train;
  train.push(0, 5, 1.0f);
  train.push(0, 0, 1.0f);
  m.train_rated = recsys::RatedItems::build(1, train);
  m.index_validation();
  const auto recs = recsys::recommend(m, 0, 8, false);
  CHECK(items_of(recs) == std::vector<std::uint32_t>{30, 35, 1, 2, 3, 4, 6, 7});
  // logit = 0.5 - 0.5 - 0.5 + 0.5 + 0.5 + 0.25 = 0.75 for the plain items
  CHECK(recs[2].logit == Approx(0.75).margin(1e-6));
  const auto all = recsys::recommend(m, 0, 100, false);
  REQUIRE(all.size() == 38u);
  CHECK(all.back().item == 33u);
  for (std::size_t r = 3; r + 1 < all.size(); ++r) CHECK(all[r - 1].item < all[r].item);
}

TEST_CASE("recommend agrees with an independent ranking of a random model", "[recommender]") {
  recsys::Rng rng(2024);
  TrainedModel m;
  m.scaler = {0.5, 5.0};
  m.users = recsys::IdMap::from_tokens(names("u", 3));
  m.items = recsys::IdMap::from_tokens(names("i", 60));
  m.titles.assign(60, "");
  m.genres.assign(60, "");
  m.tables = recsys::Embeddings::random(3, 60, 8, 0.7, rng);
  recsys::Ratings train;
  for (std::uint32_t i = 0; i < 60; i += 4) train.push(1, i, 3.0f);
  m.train_rated = recsys::RatedItems::build(3, train);
  m.validation.push(1, 1, 2.0f);
  m.index_validation();

  const auto& e = m.tables;
  std::vector<double> score(60);
  for (std::uint32_t i = 0; i < 60; ++i) {
    double z = double(e.user_bias[1]) + e.item_bias[i];
    for (int k = 0; k < 8; ++k) z += double(e.user_vec[8 + k]) * e.item_vec[i * 8 + k];
    score[i] = z;
  }
  std::vector<std::uint32_t> expected;
  for (std::uint32_t i = 0; i < 60; ++i)
    if (i % 4 != 0 && i != 1) expected.push_back(i);
  std::sort(expected.begin(), expected.end(), [&](auto a, auto b) { return score[a] > score[b]; });
  expected.resize(12);

  const auto recs = recsys::recommend(m, 1, 12, false);
  CHECK(items_of(recs) == expected);
  for (const auto& r : recs) {
    CHECK(r.logit == Approx(score[r.item]).margin(1e-5));
    CHECK(r.stars == Approx(0.5 + 4.5 / (1.0 + std::exp(-score[r.item]))).margin(1e-5));
  }
}
