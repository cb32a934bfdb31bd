#pragma once
// Timing for the benchmark helpers (recsys_bench_top_n, recsys_bench_kernels).
#include <algorithm>
#include <chrono>

namespace bench {

// The fastest of `repeats` runs of fn, in seconds.
template <typename Fn>
double best_of(int repeats, Fn fn) {
  double best = 1e300;
  for (int k = 0; k < repeats; ++k) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace bench
