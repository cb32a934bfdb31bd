// The blocked, threaded top-N against a plain loop over every (user, movie)
// pair, and against the single-user recommend().
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "recsys/eval/recommender.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

namespace {

// A random model whose users cross several 64-user blocks (and end in a part block).
recsys::TrainedModel random_model(std::uint32_t n_users, std::uint32_t n_items, int dim,
                                  bool coarse, std::uint64_t seed) {
  recsys::Rng rng(seed);
  recsys::TrainedModel m;
  m.scaler = {0.5, 5.0};
  std::vector<std::string> users(n_users), items(n_items);
  for (std::uint32_t u = 0; u < n_users; ++u) users[u] = "u" + std::to_string(u);
  for (std::uint32_t i = 0; i < n_items; ++i) items[i] = "i" + std::to_string(i);
  m.users = recsys::IdMap::from_tokens(users);
  m.items = recsys::IdMap::from_tokens(items);
  m.tables = recsys::Embeddings::random(n_users, n_items, dim, 1.0, rng);
  if (coarse) {
    // Multiples of 1/4 below 2 in magnitude: every dot product is exact in
    // float whatever the order of the sums, so ties are frequent and exact.
    auto round = [](std::vector<float>& t) {
      for (auto& x : t) x = std::clamp(std::round(x * 2.0f), -3.0f, 3.0f) / 4.0f;
    };
    round(m.tables.user_vec);
    round(m.tables.item_vec);
    round(m.tables.user_bias);
    round(m.tables.item_bias);
  }
  recsys::Ratings train, val;
  for (std::uint32_t u = 0; u < n_users; ++u) {
    // Random items for most users; the last rates every item and the one
    // before it all but two, so their lists come out empty and short.
    const bool last = u + 1 == n_users, second_last = u + 2 == n_users;
    const auto n = last          ? n_items
                   : second_last ? n_items - 2
                                 : static_cast<std::uint32_t>(rng.below(n_items / 2));
    for (std::uint32_t j = 0; j < n; ++j) {
      const auto i = last || second_last ? j : static_cast<std::uint32_t>(rng.below(n_items));
      (j % 5 == 0 ? val : train).push(u, i, 3.0f);
    }
  }
  m.train_rated = recsys::RatedItems::build(n_users, train);
  m.validation = val;
  m.index_validation();
  return m;
}

struct Plain {
  double logit;
  std::uint32_t item;
};

// Every pair scored one at a time in double, sorted outright.
std::vector<Plain> plain_top(const recsys::TrainedModel& m, std::uint32_t u, std::size_t k,
                             bool exclude) {
  const auto& e = m.tables;
  std::vector<Plain> all;
  for (std::uint32_t i = 0; i < e.n_items; ++i) {
    if (exclude && m.has_rated(u, i)) continue;
    double dot = 0;
    for (int d = 0; d < e.dim; ++d) dot += double(e.user_row(u)[d]) * e.item_row(i)[d];
    all.push_back({dot + e.user_bias[u] + e.item_bias[i], i});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Plain& a, const Plain& b) { return a.logit > b.logit; });
  all.resize(std::min(k, all.size()));
  return all;
}

}  // namespace

TEST_CASE("blocked top-N equals a plain loop over every pair", "[top_n]") {
  // 1,100 users x 1,300 movies span three blocks of 512 users and three tiles
  // of 512 movies, the last of each partial. Coarse weights give equal scores
  // in different tiles.
  struct Size {
    bool coarse;
    std::uint32_t users, items;
  };
  for (const auto& [coarse, n_users, n_items] : {Size{true, 150, 300}, Size{false, 150, 300},
                                                 Size{true, 1100, 1300}, Size{false, 1100, 1300}}) {
    const auto m = random_model(n_users, n_items, 8, coarse, coarse ? 7 : 8);
    for (const bool exclude : {true, false}) {
      for (const std::size_t k : {std::size_t(1), std::size_t(10), std::size_t(400)}) {
        recsys::TopNRequest request{k, {}, nullptr};
        if (exclude) request.exclude = {&m.train_rated, &m.validation_rated};
        const auto lists = recsys::top_n_all(m.tables, {request}, 3).front();
        std::size_t mismatched = 0;
        for (std::uint32_t u = 0; u < n_users; ++u) {
          const auto want = plain_top(m, u, k, exclude);
          const auto got = lists.of(u);
          INFO("coarse " << coarse << ", movies " << n_items << ", exclude " << exclude << ", k "
                         << k << ", user " << u);
          REQUIRE(got.size() == want.size());
          for (std::size_t r = 0; r < got.size(); ++r) {
            CHECK(lists.logits_of(u)[r] == Approx(want[r].logit).margin(1e-5));
            if (got[r] == want[r].item) continue;
            // Only a near-tie, scored differently in float and double, may swap places.
            ++mismatched;
            CHECK_FALSE(coarse);
            CHECK(std::abs(lists.logits_of(u)[r] - want[r].logit) < 1e-5);
          }
        }
        // Near-ties are rare: at most one list entry in a thousand.
        std::size_t entries = 0;
        for (std::uint32_t u = 0; u < n_users; ++u) entries += lists.of(u).size();
        CHECK(mismatched <= entries / 1000 + 2);
      }
    }
  }
}

TEST_CASE("top_n_all agrees with recommend() for every user", "[top_n]") {
  const auto m = random_model(130, 257, 5, true, 11);
  const recsys::TopNRequest request{7, {&m.train_rated, &m.validation_rated}, nullptr};
  const recsys::TopNRequest rated_too{7, {}, nullptr};
  const auto lists = recsys::top_n_all(m.tables, {request, rated_too}, 2);
  for (std::uint32_t u = 0; u < 130; ++u) {
    INFO("user " << u);
    for (const bool include_rated : {false, true}) {
      const auto recs = recsys::recommend(m, u, 7, include_rated);
      const auto got = lists[include_rated ? 1 : 0].of(u);
      REQUIRE(got.size() == recs.size());
      for (std::size_t r = 0; r < recs.size(); ++r) CHECK(got[r] == recs[r].item);
    }
  }
  // The last user rated everything: an empty list.
  CHECK(lists[0].of(129).empty());
  CHECK(lists[0].of(128).size() == 2);
}

TEST_CASE("top_n_all with k 0 gives empty lists", "[top_n]") {
  const auto m = random_model(20, 30, 4, false, 5);
  const auto lists = recsys::top_n_all(m.tables, {recsys::TopNRequest{0, {}, nullptr}}, 2);
  REQUIRE(lists.size() == 1);
  for (std::uint32_t u = 0; u < 20; ++u) CHECK(lists[0].of(u).empty());
}

TEST_CASE("top_n_all with no users or no requests", "[top_n]") {
  recsys::Embeddings e;
  e.dim = 3;
  const auto none = recsys::top_n_all(e, {recsys::TopNRequest{}}, 2);
  REQUIRE(none.size() == 1);
  CHECK(none[0].n_users() == 0);
  CHECK(recsys::top_n_all(e, {}, 2).empty());
}

TEST_CASE("top_n_all in every kernel set: the unrolled sizes, odd counts of users and movies",
          "[top_n]") {
  FOR_EACH_KERNEL_SET();
  // dim 16 and 32 take the kernel's unrolled loops; 1,001 users end in a part
  // group of every set's rows, 1,000 movies in a part panel of 16.
  for (const int dim : {16, 32}) {
    const auto m = random_model(1001, 1000, dim, false, 20 + std::uint64_t(dim));
    const recsys::TopNRequest request{10, {&m.train_rated, &m.validation_rated}, nullptr};
    const recsys::TopNRequest whole{1000, {}, nullptr};
    const auto lists = recsys::top_n_all(m.tables, {request, whole}, 2);
    std::size_t mismatched = 0;
    for (std::uint32_t u = 0; u < 1001; ++u) {
      INFO("dim " << dim << ", user " << u);
      const auto want = plain_top(m, u, 10, true);
      const auto got = lists[0].of(u);
      REQUIRE(got.size() == want.size());
      for (std::size_t r = 0; r < got.size(); ++r) {
        CHECK(lists[0].logits_of(u)[r] == Approx(want[r].logit).margin(1e-5));
        if (got[r] != want[r].item) ++mismatched;
      }
      // Every movie, in order: the whole catalogue ranked.
      REQUIRE(lists[1].of(u).size() == 1000);
      std::vector<std::uint32_t> seen(lists[1].of(u).begin(), lists[1].of(u).end());
      std::sort(seen.begin(), seen.end());
      CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
      const auto logits = lists[1].logits_of(u);
      CHECK(std::is_sorted(logits.begin(), logits.end(), std::greater<float>()));
    }
    CHECK(mismatched <= 10);
  }
}

TEST_CASE("top_n_all: avx2 and avx512 give the same lists and logits, bit for bit", "[top_n]") {
  const auto* avx2 = recsys::kernels::find(recsys::kernels::Isa::Avx2);
  const auto* avx512 = recsys::kernels::find(recsys::kernels::Isa::Avx512);
  if (!avx2 || !avx512) {
    WARN("this CPU lacks avx2 or avx512: nothing to compare");
    return;
  }
  const auto m = random_model(700, 1300, 32, false, 31);
  const recsys::TopNRequest request{20, {&m.train_rated}, nullptr};
  std::vector<recsys::TopNLists> runs;
  for (const auto* set : {avx2, avx512}) {
    const test_support::KernelScope scope(*set);
    runs.push_back(recsys::top_n_all(m.tables, {request}, 3).front());
  }
  CHECK(runs[0].items == runs[1].items);
  CHECK(runs[0].length == runs[1].length);
  CHECK(runs[0].logits == runs[1].logits);
}
