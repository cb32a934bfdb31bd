#include "recsys/data/item_stats.hpp"

namespace recsys {

ItemStats ItemStats::compute(std::size_t n_items, const Ratings& a, const Ratings& b) {
  ItemStats stats;
  stats.count.assign(n_items, 0);
  std::vector<double> sum(n_items, 0.0);
  for (const Ratings* rows : {&a, &b}) {
    const std::uint32_t* item = rows->item.data();
    rows->stars.for_each_value([&](std::size_t k, float value) {
      ++stats.count[item[k]];
      sum[item[k]] += value;
    });
  }
  stats.mean.assign(n_items, 0.0);
  for (std::size_t i = 0; i < n_items; ++i)
    if (stats.count[i] > 0) stats.mean[i] = sum[i] / stats.count[i];
  return stats;
}

}  // namespace recsys
