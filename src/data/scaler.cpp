#include "recsys/data/scaler.hpp"

#include <algorithm>

#include "recsys/util/error.hpp"

namespace recsys {

Scaler Scaler::fit(const Ratings& a, const Ratings& b, const std::string& source) {
  if (a.size() + b.size() == 0)
    throw Error(source, 0, "no ratings: the file has a header but no rows");
  float lo = a.size() ? a.stars[0] : b.stars[0];
  float hi = lo;
  for (const Ratings* rows : {&a, &b})
    for (std::size_t k = 0; k < rows->size(); ++k) {
      lo = std::min(lo, rows->stars[k]);
      hi = std::max(hi, rows->stars[k]);
    }
  if (lo == hi)
    throw Error(source, 0,
                "every rating is " + std::to_string(lo) +
                    ": min-max scaling needs two distinct values (or pass --rating-range MIN,MAX)");
  return Scaler{lo, hi};
}

}  // namespace recsys
