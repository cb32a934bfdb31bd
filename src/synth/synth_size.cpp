#include <cstdint>
#include <string_view>

#include "recsys/synth/synth.hpp"

namespace recsys {
namespace {

// Mean number of decimal digits of the ids 1..n.
double mean_digits(std::int64_t n) {
  if (n <= 0) return 0;
  double digits = 0;
  std::int64_t low = 1;
  for (int d = 1; low <= n; ++d, low *= 10) {
    const std::int64_t high = low > n / 10 ? n : low * 10 - 1;
    digits += static_cast<double>(d) * static_cast<double>(high - low + 1);
  }
  return digits / static_cast<double>(n);
}

}  // namespace

std::uint64_t estimated_ratings_bytes(const SynthOptions& o) {
  constexpr std::string_view kHeader = "userId,movieId,rating,timestamp\n";
  // A rating is "4.5"; a timestamp has 10 digits; three commas and a newline.
  const double row = mean_digits(o.users) + mean_digits(o.movies) + 3 + 10 + 4;
  return kHeader.size() + static_cast<std::uint64_t>(row * static_cast<double>(o.ratings));
}

}  // namespace recsys
