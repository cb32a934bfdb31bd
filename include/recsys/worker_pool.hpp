#pragma once
// A fixed set of threads that run one job together and wait for each other,
// cheaply enough to do it at every optimizer step (thousands per second):
// workers spin briefly on a generation counter before sleeping on it, so a
// step costs a few hundred nanoseconds of handover instead of a mutex and a
// condition variable round trip.
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace recsys {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);  // threads - 1 workers; the caller is worker 0
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs job(k) for every k in [0, size()) at once; returns when all finished.
  void run(const std::function<void(int)>& job);

 private:
  void work(int index);

  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

// [begin, end) of part k when n items are cut into parts pieces, each a
// multiple of `align` items except the last (keeps SIMD lanes and cache lines whole).
inline std::pair<std::size_t, std::size_t> chunk(std::size_t n, int parts, int k, std::size_t align = 16) {
  const std::size_t blocks = (n + align - 1) / align;
  const std::size_t per = blocks / parts, extra = blocks % parts;
  const std::size_t first = k * per + std::min<std::size_t>(k, extra);
  const std::size_t count = per + (static_cast<std::size_t>(k) < extra ? 1 : 0);
  return {std::min(n, first * align), std::min(n, (first + count) * align)};
}

}  // namespace recsys
