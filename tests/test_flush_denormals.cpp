// FlushDenormals: denormal results and inputs count as zero inside the scope,
// on the calling thread and on the worker threads set up for it, and the
// previous mode is back after the scope.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <thread>

#include "recsys/util/flush_denormals.hpp"
#include "recsys/util/worker_pool.hpp"

namespace {
// volatile: computed at run time under the current mode, not folded by the compiler.
float product(float a, float b) {
  volatile float x = a, y = b;
  return x * y;
}
}  // namespace

TEST_CASE("FlushDenormals flushes denormals to zero in its scope only", "[util][denormals]") {
#if defined(__x86_64__)
  const float denormal = 1e-39f;            // below the smallest normal float, 1.17549435e-38
  REQUIRE(product(1e-20f, 1e-19f) > 0.0f);  // 1e-39 is representable as a denormal
  REQUIRE(product(denormal, 1.0f) == denormal);
  {
    const recsys::FlushDenormals flush;
    CHECK(product(1e-20f, 1e-19f) == 0.0f);            // a denormal result becomes zero
    CHECK(product(denormal, 1e30f) == 0.0f);           // a denormal input reads as zero
    CHECK(product(1e-20f, 1e-10f) == Approx(1e-30f));  // normal numbers are untouched
    {
      const recsys::FlushDenormals nested;
      CHECK(product(1e-20f, 1e-19f) == 0.0f);
    }
    CHECK(product(1e-20f, 1e-19f) == 0.0f);  // the nested scope restored the flushing mode
  }
  CHECK(product(1e-20f, 1e-19f) > 0.0f);
  CHECK(product(denormal, 1e30f) == Approx(1e-9f));
#else
  WARN("skipped: denormal flushing is an x86 mode");
#endif
}

TEST_CASE("a worker pool's thread setup runs on each worker before its jobs", "[util][denormals]") {
#if defined(__x86_64__)
  recsys::WorkerPool pool(2, recsys::flush_denormals_in_this_thread);
  float seen[2] = {-1.0f, -1.0f};
  // The caller (worker 0) is not set up; worker 1 is. Each chunk naps, so
  // both have time to claim some; repeated until each has run one.
  for (int attempt = 0; attempt < 100 && (seen[0] < 0.0f || seen[1] < 0.0f); ++attempt)
    pool.parallel_for(8, [&](std::size_t, int worker) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      seen[worker] = product(1e-20f, 1e-19f);
    });
  REQUIRE(seen[0] >= 0.0f);
  REQUIRE(seen[1] >= 0.0f);
  CHECK(seen[1] == 0.0f);
  CHECK(seen[0] > 0.0f);
#else
  WARN("skipped: denormal flushing is an x86 mode");
#endif
}
