#include "recsys/eval/popularity.hpp"

#include <algorithm>
#include <numeric>

namespace recsys {

std::vector<std::uint32_t> training_counts(const RatedItems& train_rated, std::size_t n_items) {
  std::vector<std::uint32_t> counts(n_items, 0);
  for (const auto i : train_rated.items) ++counts[i];
  return counts;
}

std::vector<TopNLists> popularity_lists(std::span<const std::uint32_t> counts, std::size_t n_users,
                                        const std::vector<TopNRequest>& requests) {
  const std::size_t n_items = counts.size();
  std::vector<std::uint32_t> order(n_items);
  std::iota(order.begin(), order.end(), 0u);
  // Stable: equal counts keep ascending index order.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return counts[a] > counts[b]; });

  std::vector<TopNLists> lists(requests.size());
  std::vector<std::uint8_t> skip(n_items, 0);
  for (std::size_t q = 0; q < requests.size(); ++q) {
    const TopNRequest& req = requests[q];
    TopNLists& out = lists[q];
    out.k = req.k;
    out.stride = std::min(req.k, n_items);
    out.length.assign(n_users, 0);
    out.items.assign(n_users * out.stride, 0);
    out.logits.assign(n_users * out.stride, 0.0f);
    for (std::size_t u = 0; u < n_users; ++u) {
      const auto user = static_cast<std::uint32_t>(u);
      mark_excluded(req, user, skip);
      std::uint32_t filled = 0;
      for (std::size_t p = 0; p < n_items && filled < out.stride; ++p) {
        const std::uint32_t i = order[p];
        if (skip[i]) continue;
        out.items[u * out.stride + filled] = i;
        out.logits[u * out.stride + filled] = static_cast<float>(counts[i]);
        ++filled;
      }
      out.length[u] = filled;
      clear_excluded(req, user, skip);
    }
  }
  return lists;
}

}  // namespace recsys
