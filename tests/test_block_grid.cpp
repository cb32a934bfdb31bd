// The block grid: rows sorted into blocks without loss, each user and item in
// one group, groups balanced by ratings; in-block shuffles that stay inside
// their block and depend only on the seed; a scheduler that hands out every
// block once and keeps concurrent blocks apart.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <tuple>

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

std::vector<std::tuple<std::uint32_t, std::uint32_t, float>> sorted(const Ratings& r,
                                                                    std::size_t begin,
                                                                    std::size_t end) {
  std::vector<std::tuple<std::uint32_t, std::uint32_t, float>> t;
  for (std::size_t k = begin; k < end; ++k) t.emplace_back(r.user[k], r.item[k], r.stars[k]);
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace

TEST_CASE("the grid sorts rows into blocks, each user and item in one group", "[blocks]") {
  Ratings rows = skewed_rows(20000, 300, 200, 1);
  const Ratings original = rows;
  const BlockGrid grid(rows, 300, 200, 5, 4);
  REQUIRE(grid.user_groups() == 5);
  REQUIRE(grid.item_groups() == 4);
  REQUIRE(grid.blocks() == 20u);
  CHECK(grid.begin(0) == 0u);
  CHECK(grid.end(19) == rows.size());
  CHECK(sorted(rows, 0, rows.size()) == sorted(original, 0, original.size()));

  std::map<std::uint32_t, int> group_of_user, group_of_item;
  std::vector<std::size_t> per_user_group(5, 0), per_item_group(4, 0);
  for (std::size_t b = 0; b < grid.blocks(); ++b) {
    CHECK(grid.begin(b) <= grid.end(b));
    CHECK(grid.user_group(b) == int(b) / 4);
    CHECK(grid.item_group(b) == int(b) % 4);
    for (std::size_t k = grid.begin(b); k < grid.end(b); ++k) {
      // The first sighting fixes the group; every later row must agree.
      CHECK(group_of_user.emplace(rows.user[k], grid.user_group(b)).first->second ==
            grid.user_group(b));
      CHECK(group_of_item.emplace(rows.item[k], grid.item_group(b)).first->second ==
            grid.item_group(b));
    }
    per_user_group[std::size_t(grid.user_group(b))] += grid.end(b) - grid.begin(b);
    per_item_group[std::size_t(grid.item_group(b))] += grid.end(b) - grid.begin(b);
  }
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

TEST_CASE("groups are runs of consecutive indexes, the same for the same rows", "[blocks]") {
  Ratings a = skewed_rows(5000, 100, 80, 2), b = a;
  const BlockGrid ga(a, 100, 80, 4, 3), gb(b, 100, 80, 4, 3);
  CHECK(a.user == b.user);
  CHECK(a.item == b.item);
  CHECK(a.stars == b.stars);
  // Group g holds indexes below those of group g + 1, so no cache line of a
  // table holds rows of two groups except at the seams.
  std::vector<std::uint32_t> user_max(4, 0), user_min(4, 1000), item_max(3, 0), item_min(3, 1000);
  for (std::size_t blk = 0; blk < ga.blocks(); ++blk)
    for (std::size_t k = ga.begin(blk); k < ga.end(blk); ++k) {
      const auto ug = std::size_t(ga.user_group(blk)), ig = std::size_t(ga.item_group(blk));
      user_min[ug] = std::min(user_min[ug], a.user[k]);
      user_max[ug] = std::max(user_max[ug], a.user[k]);
      item_min[ig] = std::min(item_min[ig], a.item[k]);
      item_max[ig] = std::max(item_max[ig], a.item[k]);
    }
  for (std::size_t g = 0; g + 1 < 4; ++g) CHECK(user_max[g] < user_min[g + 1]);
  for (std::size_t g = 0; g + 1 < 3; ++g) CHECK(item_max[g] < item_min[g + 1]);
}

TEST_CASE("a block shuffle permutes that block only, by its seed alone", "[blocks]") {
  Ratings rows = skewed_rows(8000, 120, 90, 5);
  const BlockGrid grid(rows, 120, 90, 3, 3);
  const Ratings before = rows;
  const std::size_t b = 4;
  REQUIRE(grid.end(b) - grid.begin(b) > 100u);
  grid.shuffle_block(rows, b, 99);
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (k < grid.begin(b) || k >= grid.end(b)) REQUIRE(rows.user[k] == before.user[k]);
  CHECK(sorted(rows, grid.begin(b), grid.end(b)) == sorted(before, grid.begin(b), grid.end(b)));
  CHECK(rows.user != before.user);

  // The same seed on the same starting order gives the same order; another seed another.
  Ratings again = before, other = before;
  grid.shuffle_block(again, b, 99);
  grid.shuffle_block(other, b, 100);
  CHECK(again.user == rows.user);
  CHECK(again.item == rows.item);
  CHECK(other.user != rows.user);
}

TEST_CASE("groups_for sizes a group's rows to the target", "[blocks]") {
  // 1600 rows x 100 bytes = 160,000 bytes: 16,000 a group -> 10 groups.
  CHECK(BlockGrid::groups_for(1600, 100, 16000, 2) == 10);
  CHECK(BlockGrid::groups_for(1600, 100, 15999, 2) == 11);      // rounded up
  CHECK(BlockGrid::groups_for(20, 100, 1 << 20, 4) == 4);       // at least the minimum
  CHECK(BlockGrid::groups_for(1000000, 1000, 1000, 2) == 255);  // at most 255
}

TEST_CASE("the scheduler hands out every block once and keeps claimed blocks apart", "[blocks]") {
  Ratings rows = skewed_rows(3000, 60, 50, 9);
  const BlockGrid grid(rows, 60, 50, 4, 4);

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
