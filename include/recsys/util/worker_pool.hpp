#pragma once
// A fixed set of threads that share one job at a time, cheaply enough to do
// it at every optimizer step (thousands per second).
//
// The job is cut into chunks that threads claim from a shared counter, so the
// caller never waits for a worker that the OS has not scheduled: if the other
// core is busy, the caller simply claims every chunk itself (a fixed split
// with a barrier would stall every step on the slowest, possibly descheduled,
// thread). The counter carries a generation
// number, so a worker that wakes late cannot claim chunks of a later job.
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace recsys {

class WorkerPool {
 public:
  // threads - 1 workers; the caller is worker 0. Each worker runs
  // thread_setup (if given) once, before its first job.
  explicit WorkerPool(int threads, const std::function<void()>& thread_setup = {});
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs job(chunk, worker) for every chunk in [0, chunks) and returns when
  // all have finished. `worker` in [0, size()) names the thread running it,
  // for per-thread scratch space. Which thread runs which chunk varies.
  using Job = std::function<void(std::size_t chunk, int worker)>;
  void parallel_for(std::size_t chunks, const Job& job);

  // job(k) once for every k in [0, size()): a job cut into one part per thread.
  void run(const std::function<void(int)>& job) {
    parallel_for(static_cast<std::size_t>(size()),
                 [&](std::size_t k, int) { job(static_cast<int>(k)); });
  }

  // job(k) on thread k for every k in [0, size()), waiting for each: for work
  // whose part k should stay in thread k's cache from one call to the next.
  void run_pinned(const std::function<void(int)>& job);

 private:
  void work(int index);
  void drain(std::uint64_t generation, int worker);
  // A job's generation in two steps, so that a job's own fields can be set
  // between them: the next generation number, with its chunk counter reset;
  // then that generation published to the workers, waking them.
  std::uint64_t next_generation();
  void publish(std::uint64_t generation);

  std::vector<std::thread> workers_;
  // Atomic because a worker that wakes late may read them while the next job
  // is being set up; it then fails to claim (the generation moved on).
  std::atomic<const Job*> job_{nullptr};
  std::atomic<std::size_t> chunks_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> next_{0};  // generation << 32 | next unclaimed chunk
  std::atomic<std::size_t> finished_{0};
  std::atomic<bool> stop_{false};
  // run_pinned's job, and the generation it belongs to (0: none).
  std::atomic<const std::function<void(int)>*> pinned_{nullptr};
  std::atomic<std::uint64_t> pinned_generation_{0};
};

// [begin, end) of part k when n items are cut into parts pieces, each a
// multiple of `align` items except the last (keeps SIMD lanes and cache lines whole).
inline std::pair<std::size_t, std::size_t> chunk(std::size_t n, std::size_t parts, std::size_t k,
                                                 std::size_t align = 16) {
  const std::size_t blocks = (n + align - 1) / align;
  const std::size_t per = blocks / parts, extra = blocks % parts;
  const std::size_t first = k * per + std::min(k, extra);
  const std::size_t count = per + (k < extra ? 1 : 0);
  return {std::min(n, first * align), std::min(n, (first + count) * align)};
}

}  // namespace recsys
