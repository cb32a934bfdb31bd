// The worker pool's two ways of sharing a job: chunks claimed by whichever
// thread is free (parallel_for) and one part per thread (run_pinned), mixed
// in any order, each part run exactly once.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "recsys/util/worker_pool.hpp"

TEST_CASE("run_pinned runs part k on the same thread every time", "[worker_pool]") {
  recsys::WorkerPool pool(3);
  REQUIRE(pool.size() == 3);
  std::vector<std::thread::id> first(3);
  pool.run_pinned([&](int k) { first[std::size_t(k)] = std::this_thread::get_id(); });
  CHECK(first[0] == std::this_thread::get_id());  // the caller is thread 0
  CHECK(first[1] != first[0]);
  CHECK(first[2] != first[0]);
  CHECK(first[1] != first[2]);

  std::vector<int> runs(3, 0);
  std::atomic<int> chunks_run{0};
  bool same_thread = true;
  for (int call = 0; call < 3000; ++call) {
    // Pinned calls back to back and after a claimed job, with the workers
    // awake or asleep: a worker that woke for one job must not run another's part.
    if (call % 3 == 0)
      pool.parallel_for(std::size_t(call % 7), [&](std::size_t, int) { chunks_run.fetch_add(1); });
    if (call % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    pool.run_pinned([&](int k) {
      ++runs[std::size_t(k)];  // one thread per part: no race
      if (std::this_thread::get_id() != first[std::size_t(k)]) same_thread = false;
    });
  }
  CHECK(same_thread);
  CHECK(runs == std::vector<int>{3000, 3000, 3000});
  int expected_chunks = 0;
  for (int call = 0; call < 3000; call += 3) expected_chunks += call % 7;
  CHECK(chunks_run.load() == expected_chunks);
}

TEST_CASE("parallel_for runs every chunk once", "[worker_pool]") {
  recsys::WorkerPool pool(2);
  std::vector<std::atomic<int>> seen(1000);
  pool.parallel_for(seen.size(), [&](std::size_t c, int worker) {
    CHECK(worker >= 0);
    CHECK(worker < 2);
    seen[c].fetch_add(1);
  });
  int once = 0;
  for (const auto& s : seen) once += s.load() == 1;
  CHECK(once == 1000);
}

TEST_CASE("a pool of one thread runs pinned and claimed jobs on the caller", "[worker_pool]") {
  recsys::WorkerPool pool(1);
  int pinned = 0, chunks = 0;
  pool.run_pinned([&](int k) { pinned += k + 1; });
  pool.parallel_for(4, [&](std::size_t, int worker) { chunks += worker == 0; });
  CHECK(pinned == 1);
  CHECK(chunks == 4);
}
