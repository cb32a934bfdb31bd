// The block grid: every row in one block, each user and item in one group,
// groups balanced by ratings; a block's shuffled order that depends only on
// its seed; the rows and rated movies given back; a scheduler that hands out
// every block once and keeps concurrent blocks apart.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "recsys/data/dataset.hpp"
#include "recsys/train/block_grid.hpp"

using namespace recsys;

namespace {

// n rows over `users` x `items`, user activity skewed (user u rates about 1/(u+1) as often).
Ratings skewed_rows(std::size_t n, std::uint32_t users, std::uint32_t items, std::uint64_t seed) {
  Rng rng(seed);
  Ratings r;
  for (std::size_t k = 0; k < n; ++k) {
    const auto u = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(users - 1, rng.below(users) * rng.uniform()));
    r.push(u, static_cast<std::uint32_t>(rng.below(items)),
           static_cast<float>(rng.below(10) + 1) / 2.0f);
  }
  return r;
}

using Row = std::tuple<std::uint32_t, std::uint32_t, float>;

std::vector<Row> sorted(const Ratings& r) {
  std::vector<Row> t;
  for (std::size_t k = 0; k < r.size(); ++k) t.emplace_back(r.user[k], r.item[k], r.stars[k]);
  std::sort(t.begin(), t.end());
  return t;
}

std::vector<Row> rows_of(const TrainingRows& v) {
  std::vector<Row> t;
  for (std::size_t k = 0; k < v.size(); ++k) t.emplace_back(v.user[k], v.item[k], v.stars(k));
  return t;
}

std::vector<Row> sorted(std::vector<Row> t) {
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace

TEST_CASE("the grid keeps every row, each user and item in one group's block", "[blocks]") {
  const Ratings original = skewed_rows(20000, 300, 200, 1);
  const BlockGrid grid(Ratings(original), 300, 200, 5, 4);
  REQUIRE(grid.user_groups() == 5);
  REQUIRE(grid.item_groups() == 4);
  REQUIRE(grid.blocks() == 20u);
  CHECK(grid.size() == original.size());

  std::vector<Row> all;
  std::vector<std::size_t> per_user_group(5, 0), per_item_group(4, 0);
  BlockRows buffer;
  for (std::size_t b = 0; b < grid.blocks(); ++b) {
    const int ug = grid.user_group(b), ig = grid.item_group(b);
    CHECK(ug == int(b) / 4);
    CHECK(ig == int(b) % 4);
    const TrainingRows rows = grid.gather(b, 7, buffer, Scaler{0.5, 5});
    CHECK(rows.size() == grid.rows_in(b));
    for (std::size_t k = 0; k < rows.size(); ++k) {
      // Groups are runs of consecutive indexes: user group g is
      // [first_user(g), first_user(g + 1)), and so for items.
      CHECK(rows.user[k] >= grid.first_user(ug));
      CHECK(rows.user[k] < grid.first_user(ug + 1));
      CHECK(rows.item[k] >= grid.first_item(ig));
      CHECK(rows.item[k] < grid.first_item(ig + 1));
    }
    const auto block = rows_of(rows);
    all.insert(all.end(), block.begin(), block.end());
    per_user_group[std::size_t(ug)] += rows.size();
    per_item_group[std::size_t(ig)] += rows.size();
  }
  CHECK(sorted(all) == sorted(original));
  CHECK(grid.first_user(0) == 0u);
  CHECK(grid.first_user(5) == 300u);
  CHECK(grid.first_item(4) == 200u);
  // Balanced by ratings, not by count of users: every user group within 20%
  // of 4,000 although user 0 alone has hundreds of ratings; item groups of 5,000.
  for (std::size_t g = 0; g < 5; ++g) {
    INFO("user group " << g << ": " << per_user_group[g]);
    CHECK(per_user_group[g] > 3200u);
    CHECK(per_user_group[g] < 4800u);
  }
  for (std::size_t g = 0; g < 4; ++g) {
    INFO("item group " << g << ": " << per_item_group[g]);
    CHECK(per_item_group[g] > 4000u);
    CHECK(per_item_group[g] < 6000u);
  }
}

TEST_CASE("a block's order depends on its seed alone, not on the buffer or the grid's origin",
          "[blocks]") {
  Ratings original = skewed_rows(8000, 120, 90, 5);
  keep_last_of_duplicates(original, 120, 90);  // a repeated pair's order would follow its codes
  Ratings reversed;
  for (std::size_t k = original.size(); k-- > 0;)
    reversed.push(original.user[k], original.item[k], original.stars[k]);
  const BlockGrid grid(Ratings(original), 120, 90, 3, 3), other(std::move(reversed), 120, 90, 3, 3);
  const std::size_t b = 4;
  REQUIRE(grid.rows_in(b) > 100u);
  BlockRows fresh, used, third;
  grid.gather(2, 5, used, {});  // leaves another block's rows in the buffer
  const auto first = rows_of(grid.gather(b, 99, fresh, {}));
  CHECK(rows_of(grid.gather(b, 99, used, {})) == first);
  CHECK(rows_of(other.gather(b, 99, third, {})) == first);
  const auto reseeded = rows_of(grid.gather(b, 100, fresh, {}));
  CHECK(reseeded != first);
  CHECK(sorted(reseeded) == sorted(first));
  // Shuffled: not the stored order, by user then item.
  CHECK(first != sorted(first));
}

TEST_CASE("the grid gives back its rows and the model's rated movies", "[blocks]") {
  Ratings original = skewed_rows(5000, 100, 80, 2);
  original.push(3, 7, 4.0f);  // a repeated pair, so that rated movies must drop it
  original.push(3, 7, 2.0f);
  const RatedItems want = RatedItems::build(100, original);
  BlockGrid grid(Ratings(original), 100, 80, 4, 3);
  const RatedItems rated = grid.rated_items();
  CHECK(rated.offsets == want.offsets);
  CHECK(rated.items == want.items);
  BlockGrid again(Ratings(original), 100, 80, 4, 3);
  const RatedItems moved = std::move(again).into_rated_items();
  CHECK(moved.offsets == want.offsets);
  CHECK(moved.items == want.items);
  const Ratings back = std::move(grid).into_ratings();
  CHECK(sorted(back) == sorted(original));
  CHECK(std::is_sorted(back.user.begin(), back.user.end()));
}

TEST_CASE("threads sorting the users' lists build the same grid as one", "[blocks]") {
  const Ratings original = skewed_rows(20000, 300, 120, 6);
  BlockGrid one(Ratings(original), 300, 120, 4, 3, 1);
  const RatedItems want = one.rated_items();
  const Ratings want_rows = std::move(one).into_ratings();
  for (const int threads : {2, 3, 7}) {
    INFO(threads << " threads");
    BlockGrid many(Ratings(original), 300, 120, 4, 3, threads);
    CHECK(many.rated_items().offsets == want.offsets);
    CHECK(many.rated_items().items == want.items);
    const Ratings rows = std::move(many).into_ratings();
    CHECK(rows.user == want_rows.user);
    CHECK(rows.item == want_rows.item);
    CHECK(rows.stars.to_vector() == want_rows.stars.to_vector());
  }
}

TEST_CASE("ratings kept as floats (over 256 distinct values) go through the grid exactly",
          "[blocks]") {
  Ratings original;
  Rng rng(4);
  for (int k = 0; k < 3000; ++k)
    original.push(static_cast<std::uint32_t>(rng.below(50)),
                  static_cast<std::uint32_t>(rng.below(40)),
                  static_cast<float>(rng.uniform() * 100));
  REQUIRE_FALSE(original.stars.coded());
  const BlockGrid grid(Ratings(original), 50, 40, 3, 2);
  std::vector<Row> all;
  BlockRows buffer;
  for (std::size_t b = 0; b < grid.blocks(); ++b) {
    const auto block = rows_of(grid.gather(b, 1, buffer, {}));
    all.insert(all.end(), block.begin(), block.end());
  }
  CHECK(sorted(all) == sorted(original));
}

TEST_CASE("groups_for sizes a group's rows to the target", "[blocks]") {
  // 1600 rows x 100 bytes = 160,000 bytes: 16,000 a group -> 10 groups.
  CHECK(BlockGrid::groups_for(1600, 100, 16000, 2) == 10);
  CHECK(BlockGrid::groups_for(1600, 100, 15999, 2) == 11);      // rounded up
  CHECK(BlockGrid::groups_for(20, 100, 1 << 20, 4) == 4);       // at least the minimum
  CHECK(BlockGrid::groups_for(1000000, 1000, 1000, 2) == 255);  // at most 255
}

TEST_CASE("the scheduler hands out every block once and keeps claimed blocks apart", "[blocks]") {
  const BlockGrid grid(skewed_rows(3000, 60, 50, 9), 60, 50, 4, 4);

  SECTION("one thread: every block once, in a seeded random order") {
    Rng r1(5), r2(5), r3(6);
    BlockScheduler s1(grid, r1), s2(grid, r2), s3(grid, r3);
    std::vector<std::size_t> o1, o2, o3;
    for (std::size_t b; (b = s1.claim()) != BlockScheduler::kNone;) {
      o1.push_back(b);
      s1.release(b);
    }
    for (std::size_t b; (b = s2.claim()) != BlockScheduler::kNone;) {
      o2.push_back(b);
      s2.release(b);
    }
    for (std::size_t b; (b = s3.claim()) != BlockScheduler::kNone;) {
      o3.push_back(b);
      s3.release(b);
    }
    CHECK(o1.size() == 16u);
    CHECK(std::set<std::size_t>(o1.begin(), o1.end()).size() == 16u);
    CHECK(o1 == o2);
    CHECK(o1 != o3);
    CHECK(o1 != std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  }

  SECTION("a thread that names its last block stays in that block's item group") {
    Rng r(3);
    BlockScheduler s(grid, r);
    std::vector<int> item_groups;
    std::size_t last = BlockScheduler::kNone;
    for (std::size_t b; (b = s.claim(last)) != BlockScheduler::kNone; last = b) {
      item_groups.push_back(grid.item_group(b));
      s.release(b);
    }
    REQUIRE(item_groups.size() == 16u);
    // Four runs of four: each item group finished before the next one starts.
    for (std::size_t k = 0; k < 16; ++k) CHECK(item_groups[k] == item_groups[k / 4 * 4]);
    CHECK(std::set<int>(item_groups.begin(), item_groups.end()).size() == 4u);
  }

  SECTION("blocks held at the same time share no group while a free one remains") {
    Rng r(8);
    BlockScheduler s(grid, r);
    auto conflict = [&](std::size_t a, std::size_t b) {
      return grid.user_group(a) == grid.user_group(b) || grid.item_group(a) == grid.item_group(b);
    };
    std::set<std::size_t> pending;
    for (std::size_t b = 0; b < 16; ++b) pending.insert(b);
    std::size_t held = s.claim();
    pending.erase(held);
    int overlaps = 0;
    for (std::size_t b; (b = s.claim()) != BlockScheduler::kNone;) {
      REQUIRE(pending.count(b) == 1);
      if (conflict(b, held)) {
        ++overlaps;
        // Allowed only when every block still pending conflicted.
        for (const std::size_t other : pending) CHECK(conflict(other, held));
      }
      pending.erase(b);
      s.release(held);
      held = b;
    }
    s.release(held);
    CHECK(pending.empty());
  }
}

TEST_CASE("the grid sorts each user's rows by movie, a repeated pair's ratings by their bits",
          "[blocks]") {
  // Wide movie indexes take the two-digit radix path; few take one digit.
  for (const std::uint32_t items : {40u, 70000u, 3000000u}) {
    for (const bool floats : {false, true}) {
      INFO(items << " movies, " << (floats ? "float" : "coded") << " ratings");
      Rng rng(items + floats);
      Ratings original;
      for (int k = 0; k < 6000; ++k) {
        const auto u = static_cast<std::uint32_t>(rng.below(90));
        const auto i = static_cast<std::uint32_t>(rng.below(items));
        const float r = floats ? static_cast<float>(rng.uniform() * 100)
                               : static_cast<float>(rng.below(10) + 1) / 2.0f;
        original.push(u, i, r);
        if (k % 50 == 0) original.push(u, i, floats ? r + 7.25f : 5.5f - r);  // repeats the pair
      }
      if (floats) original.push(1, 2, 1000.0f);  // over 256 values: floats
      REQUIRE(original.stars.coded() == !floats);
      // The order one sort of (user, movie, rating bits) gives.
      std::vector<std::size_t> order(original.size());
      std::iota(order.begin(), order.end(), std::size_t(0));
      const auto key = [&](std::size_t k) {
        std::uint32_t bits = 0;
        if (floats) {
          const float f = original.stars.floats()[k];
          std::memcpy(&bits, &f, sizeof f);
        } else {
          bits = original.stars.codes()[k];
        }
        return std::tuple(original.user[k], original.item[k], bits);
      };
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
      for (const int threads : {1, 3}) {
        INFO(threads << " threads");
        const Ratings back = BlockGrid(Ratings(original), 90, items, 5, 4, threads).into_ratings();
        REQUIRE(back.size() == original.size());
        std::size_t mismatches = 0;
        for (std::size_t k = 0; k < back.size(); ++k)
          mismatches += key(order[k]) !=
                        std::tuple(back.user[k], back.item[k],
                                   floats ? std::bit_cast<std::uint32_t>(back.stars.floats()[k])
                                          : std::uint32_t(back.stars.codes()[k]));
        CHECK(mismatches == 0u);
      }
    }
  }
}
