#include "recsys/data/scaler.hpp"

#include <algorithm>

#include "recsys/util/error.hpp"

namespace recsys {

Scaler Scaler::fit(const Ratings& a, const Ratings& b, const std::string& source) {
  if (a.size() + b.size() == 0)
    throw Error(source, 0, "no ratings: the file has a header but no rows");
  const auto [a_lo, a_hi] = a.stars.min_max();
  const auto [b_lo, b_hi] = b.stars.min_max();
  const float lo = std::min(a_lo, b_lo), hi = std::max(a_hi, b_hi);
  if (lo == hi)
    throw Error(source, 0,
                "every rating is " + std::to_string(lo) +
                    ": min-max scaling needs two distinct values (or pass --rating-range MIN,MAX)");
  return Scaler{lo, hi};
}

}  // namespace recsys
