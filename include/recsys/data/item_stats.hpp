#pragma once
// Per-item counts and mean raw ratings over every loaded row (training and
// validation), as the notebook computes them; used for novelty, popularity
// and for choosing the best-rated films to project.
#include <cstdint>
#include <vector>

#include "recsys/data/ratings.hpp"

namespace recsys {

struct ItemStats {
  std::vector<std::uint32_t> count;  // ratings of each item
  std::vector<double> mean;          // mean raw rating (0 for an unrated item)

  static ItemStats compute(std::size_t n_items, const Ratings& a, const Ratings& b);
};

}  // namespace recsys
