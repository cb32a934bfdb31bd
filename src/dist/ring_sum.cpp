#include "recsys/dist/ring_sum.hpp"

#include <cstring>
#include <string>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

template <typename T>
void ring_sum_of(std::span<T> values, Communicator& ranks) {
  const std::size_t n = static_cast<std::size_t>(ranks.size());
  if (n < 2) return;
  const std::size_t me = static_cast<std::size_t>(ranks.rank());
  const auto chunk = [&](std::size_t c) {
    c %= n;
    const std::size_t first = values.size() * c / n, end = values.size() * (c + 1) / n;
    return values.subspan(first, end - first);
  };
  const auto bytes_of = [](std::span<T> part) {
    return std::string_view(reinterpret_cast<const char*>(part.data()), part.size_bytes());
  };
  const int to = static_cast<int>((me + 1) % n), from = static_cast<int>((me + n - 1) % n);
  std::string incoming;
  // Step s: pass the partial sum of chunk me - s on; add this rank's share
  // to the one of chunk me - s - 1 coming in. After n - 1 steps this rank
  // holds the whole sum of chunk me + 1.
  for (std::size_t s = 0; s + 1 < n; ++s) {
    ranks.send_receive(bytes_of(chunk(me + n - s)), to, from, incoming);
    const std::span<T> mine = chunk(me + 2 * n - s - 1);
    if (incoming.size() != mine.size_bytes())
      throw Error("a rank sent a partial sum of the wrong size", Error::Kind::Internal);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      T theirs;
      std::memcpy(&theirs, incoming.data() + k * sizeof(T), sizeof(T));
      mine[k] = theirs + mine[k];
    }
  }
  // Then the whole sums go round: step s passes chunk me + 1 - s on.
  for (std::size_t s = 0; s + 1 < n; ++s) {
    ranks.send_receive(bytes_of(chunk(me + 1 + n - s)), to, from, incoming);
    const std::span<T> theirs = chunk(me + n - s);
    if (incoming.size() != theirs.size_bytes())
      throw Error("a rank sent a sum of the wrong size", Error::Kind::Internal);
    if (!theirs.empty()) std::memcpy(theirs.data(), incoming.data(), incoming.size());
  }
}

}  // namespace

void ring_sum(std::span<float> values, Communicator& ranks) { ring_sum_of(values, ranks); }
void ring_sum(std::span<double> values, Communicator& ranks) { ring_sum_of(values, ranks); }

}  // namespace recsys
