#pragma once
// Min-max scaling of star ratings to [0, 1], as sklearn's MinMaxScaler: the
// model learns scaled targets and predictions map back to stars.
#include <string>

#include "recsys/data/ratings.hpp"

namespace recsys {

struct Scaler {
  double min = 0;
  double max = 1;

  double span() const { return max - min; }
  float to_unit(double stars) const { return static_cast<float>((stars - min) / span()); }
  double to_stars(double unit) const { return min + unit * span(); }

  // From the smallest and largest rating present in a and b; throws when they are equal,
  // naming `source` (there is nothing to scale and nothing to learn).
  static Scaler fit(const Ratings& a, const Ratings& b, const std::string& source);
  static Scaler from_range(const RatingRange& range) { return Scaler{range.min, range.max}; }
};

}  // namespace recsys
