#include "recsys/dist/ring_plan.hpp"

#include <algorithm>

namespace recsys {
namespace {

std::vector<std::uint32_t> balanced_cuts(std::span<const double> counts, int groups) {
  std::vector<double> through(counts.size());  // sum of counts[0..k]
  double sum = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) through[k] = sum += counts[k];
  std::vector<std::uint32_t> first{0};
  for (int j = 1; j < groups; ++j) {
    const double share = sum * j / groups;
    const auto k =
        std::size_t(std::lower_bound(through.begin(), through.end(), share) - through.begin());
    std::uint32_t cut = std::uint32_t(std::min(k, counts.size()));
    // Index k, which crosses the share, goes with the nearer side.
    if (k < counts.size()) {
      const double before = k > 0 ? through[k - 1] : 0.0;
      if (through[k] - share <= share - before) cut = std::uint32_t(k + 1);
    }
    first.push_back(std::max(cut, first.back()));
  }
  first.push_back(std::uint32_t(counts.size()));
  return first;
}

int group_of(const std::vector<std::uint32_t>& first, std::uint32_t index) {
  return int(std::upper_bound(first.begin(), first.end(), index) - first.begin()) - 1;
}

}  // namespace

RingPlan RingPlan::balanced(std::span<const double> rows_per_user,
                            std::span<const double> rows_per_item, int ranks) {
  return {balanced_cuts(rows_per_user, ranks), balanced_cuts(rows_per_item, ranks)};
}

RingPlan RingPlan::balanced(const Ratings& rows, std::uint32_t n_users, std::uint32_t n_items,
                            int ranks) {
  std::vector<double> per_user(n_users, 0), per_item(n_items, 0);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    ++per_user[rows.user[k]];
    ++per_item[rows.item[k]];
  }
  return balanced(per_user, per_item, ranks);
}

int RingPlan::user_group(std::uint32_t user) const { return group_of(user_first, user); }
int RingPlan::item_group(std::uint32_t item) const { return group_of(item_first, item); }

}  // namespace recsys
