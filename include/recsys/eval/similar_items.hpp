#pragma once
// Movies whose embeddings point the same way as a given movie's: cosine of
// the item vectors, all of them in one matrix-vector product.
#include <cstdint>
#include <vector>

#include "recsys/eval/top_n.hpp"
#include "recsys/train/model.hpp"

namespace recsys {

// The n items of highest cosine with `item`, the item itself left out, best
// first, ties to the lower index (score = the cosine). A zero vector has
// cosine 0 with every vector, as sklearn's cosine_similarity treats it.
std::vector<ScoredItem> similar_items(const Embeddings& tables, std::uint32_t item, std::size_t n);

}  // namespace recsys
