#include "recsys/data/split.hpp"

#include <algorithm>
#include <cmath>

#include "keep_rows.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {

void random_split(const Ratings& all, double val_fraction, std::uint64_t seed, Ratings& train,
                  Ratings& val) {
  Ratings copy = all;
  split_in_place(copy, val_fraction, seed, val);
  train = std::move(copy);
}

void split_in_place(Ratings& rows, double val_fraction, std::uint64_t seed, Ratings& val) {
  // Selection sampling (Knuth's algorithm S): one sequential pass picks exactly
  // n_val rows, every subset of that size equally likely, with no permutation
  // array; training rows are compacted in place, so the split costs only the
  // validation rows' memory.
  const std::size_t n = rows.size();
  const auto n_val = std::min<std::size_t>(
      n, static_cast<std::size_t>(std::ceil(val_fraction * static_cast<double>(n))));
  Rng rng(seed);
  val.reserve(n_val);
  std::size_t needed = n_val;
  keep_rows_if(rows, [&](std::size_t k) {
    if (needed == 0 || rng.below(n - k) >= needed) return true;
    val.push(rows.user[k], rows.item[k], rows.stars[k]);
    --needed;
    return false;
  });
  release_unused_capacity(rows.user);
  release_unused_capacity(rows.item);
  release_unused_capacity(rows.stars);
}

}  // namespace recsys
