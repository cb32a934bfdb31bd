#pragma once
// Movies whose embeddings point the same way as a given movie's: cosine of
// the item vectors, all of them in one matrix-vector product.
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/eval/top_n.hpp"
#include "recsys/train/model.hpp"

namespace recsys {

// Which movies may be neighbours: those with at least min_count in counts
// (one per item, e.g. training_counts of eval/popularity.hpp). A movie with
// few ratings keeps much of its random initial vector, so its cosine says
// little. Empty counts: every movie may.
struct NeighbourFilter {
  std::span<const std::uint32_t> counts;
  std::uint32_t min_count = 0;
};

// The n items of highest cosine with `item` that the filter lets through,
// the item itself left out, best first, ties to the lower index (score = the
// cosine). A zero vector has cosine 0 with every vector, as sklearn's
// cosine_similarity treats it. The item itself needs no minimum count.
std::vector<ScoredItem> similar_items(const Embeddings& tables, std::uint32_t item, std::size_t n,
                                      const NeighbourFilter& filter = {});

}  // namespace recsys
