#include "recsys/data/item_stats.hpp"

namespace recsys {

ItemStats ItemStats::compute(std::size_t n_items, const Ratings& a, const Ratings& b) {
  ItemStats stats;
  stats.count.assign(n_items, 0);
  std::vector<double> sum(n_items, 0.0);
  for (const Ratings* rows : {&a, &b}) {
    for (std::size_t k = 0; k < rows->size(); ++k) {
      ++stats.count[rows->item[k]];
      sum[rows->item[k]] += rows->stars[k];
    }
  }
  stats.mean.assign(n_items, 0.0);
  for (std::size_t i = 0; i < n_items; ++i)
    if (stats.count[i] > 0) stats.mean[i] = sum[i] / stats.count[i];
  return stats;
}

}  // namespace recsys
