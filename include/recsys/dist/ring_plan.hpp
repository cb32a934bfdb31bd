#pragma once
// How the users and movies of a run across N ranks are cut into N groups
// each: consecutive indexes, balanced by rows. Rank r holds the rows of
// user group r (docs/distributed.md).
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/data/ratings.hpp"

namespace recsys {

// Group r of users is [user_first[r], user_first[r + 1]), and so for movies.
struct RingPlan {
  std::vector<std::uint32_t> user_first, item_first;  // ranks + 1 each

  // Consecutive indexes cut so that each group has about the same number of
  // rows: each cut where the running sum of rows comes nearest its share.
  static RingPlan balanced(std::span<const double> rows_per_user,
                           std::span<const double> rows_per_item, int ranks);
  // The same from the rows themselves.
  static RingPlan balanced(const Ratings& rows, std::uint32_t n_users, std::uint32_t n_items,
                           int ranks);
  int groups() const { return static_cast<int>(user_first.size()) - 1; }
  int user_group(std::uint32_t user) const;
  int item_group(std::uint32_t item) const;
};

}  // namespace recsys
