#include "recsys/eval/similar_items.hpp"

#include <Eigen/Core>
#include <cmath>

namespace recsys {

std::vector<ScoredItem> similar_items(const Embeddings& tables, std::uint32_t item, std::size_t n,
                                      const NeighbourFilter& filter) {
  using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMatrix> items(tables.item_vec.data(), tables.n_items, tables.dim);
  const Eigen::Map<const Eigen::VectorXf> query(tables.item_row(item), tables.dim);
  Eigen::VectorXf cosine = items * query;
  const Eigen::VectorXf norms = items.rowwise().norm();
  const float query_norm = norms[item];
  for (Eigen::Index i = 0; i < cosine.size(); ++i) {
    const float denominator = norms[i] * query_norm;
    cosine[i] = denominator > 0 ? cosine[i] / denominator : 0.0f;
  }
  std::vector<std::uint8_t> skip(tables.n_items, 0);
  if (!filter.counts.empty())
    for (std::uint32_t i = 0; i < tables.n_items; ++i)
      skip[i] = i >= filter.counts.size() || filter.counts[i] < filter.min_count;
  skip[item] = 1;
  std::vector<ScoredItem> out;
  select_top_k({cosine.data(), static_cast<std::size_t>(cosine.size())}, skip, n, out);
  return out;
}

}  // namespace recsys
