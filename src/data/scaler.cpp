#include "recsys/data/scaler.hpp"

#include <algorithm>

#include "recsys/util/error.hpp"

namespace recsys {

Scaler Scaler::fit(const Ratings& a, const Ratings& b, const std::string& source) {
  if (a.size() + b.size() == 0)
    throw Error(source, 0, "no ratings: the file has a header but no rows");
  float lo = a.size() ? a.stars[0] : b.stars[0];
  float hi = lo;
  for (const Ratings* rows : {&a, &b}) {
    const auto [min_it, max_it] = std::minmax_element(rows->stars.begin(), rows->stars.end());
    if (min_it == rows->stars.end()) continue;
    lo = std::min(lo, *min_it);
    hi = std::max(hi, *max_it);
  }
  if (lo == hi)
    throw Error(source, 0,
                "every rating is " + std::to_string(lo) +
                    ": min-max scaling needs two distinct values (or pass --rating-range MIN,MAX)");
  return Scaler{lo, hi};
}

}  // namespace recsys
