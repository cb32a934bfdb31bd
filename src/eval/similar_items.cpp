#include "recsys/eval/similar_items.hpp"

#include <cmath>

#include "recsys/kernels/kernels.hpp"

namespace recsys {

std::vector<ScoredItem> similar_items(const Embeddings& tables, std::uint32_t item, std::size_t n,
                                      const NeighbourFilter& filter) {
  // Two dot products a movie through the kernel set's dot (its widest
  // vectors): the movie with the query, and with itself for its norm.
  const auto dot = kernels::active().dot;
  const std::size_t dim = std::size_t(tables.dim);
  const float* query = tables.item_row(item);
  const float query_norm = std::sqrt(dot(query, query, dim));
  std::vector<float> cosine(tables.n_items);
  for (std::uint32_t i = 0; i < tables.n_items; ++i) {
    const float* v = tables.item_row(i);
    const float denominator = std::sqrt(dot(v, v, dim)) * query_norm;
    cosine[i] = denominator > 0 ? dot(v, query, dim) / denominator : 0.0f;
  }
  std::vector<std::uint8_t> skip(tables.n_items, 0);
  if (!filter.counts.empty())
    for (std::uint32_t i = 0; i < tables.n_items; ++i)
      skip[i] = i >= filter.counts.size() || filter.counts[i] < filter.min_count;
  skip[item] = 1;
  std::vector<ScoredItem> out;
  select_top_k(cosine, skip, n, out);
  return out;
}

}  // namespace recsys
