#include "recsys/util/worker_pool.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace recsys {
namespace {
inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}
constexpr int kSpins = 20000;  // about 0.1-0.5 ms of polling before sleeping
}  // namespace

WorkerPool::WorkerPool(int threads, const std::function<void()>& thread_setup) {
  for (int k = 1; k < threads; ++k)
    workers_.emplace_back([this, k, thread_setup] {
      if (thread_setup) thread_setup();
      work(k);
    });
}

WorkerPool::~WorkerPool() {
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

// Claims and runs chunks of `generation` until none is left.
void WorkerPool::drain(std::uint64_t generation, int worker) {
  std::uint64_t current = next_.load(std::memory_order_acquire);
  for (;;) {
    if ((current >> 32) != (generation & 0xFFFFFFFFu)) return;  // a later job started
    const std::size_t index = current & 0xFFFFFFFFu;
    if (index >= chunks_.load(std::memory_order_acquire)) return;
    const Job* job = job_.load(std::memory_order_acquire);
    // Succeeds only while this generation's chunk `index` is unclaimed, so the
    // caller is still waiting and job is still alive.
    if (!next_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) continue;
    (*job)(index, worker);
    finished_.fetch_add(1, std::memory_order_acq_rel);
    current = next_.load(std::memory_order_acquire);
  }
}

std::uint64_t WorkerPool::next_generation() {
  const std::uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
  next_.store((generation & 0xFFFFFFFFu) << 32, std::memory_order_release);
  return generation;
}

void WorkerPool::publish(std::uint64_t generation) {
  generation_.store(generation, std::memory_order_release);
  generation_.notify_all();
}

void WorkerPool::parallel_for(std::size_t chunks, const Job& job) {
  if (workers_.empty() || chunks <= 1) {
    for (std::size_t c = 0; c < chunks; ++c) job(c, 0);
    return;
  }
  job_.store(&job, std::memory_order_release);
  chunks_.store(chunks, std::memory_order_release);
  finished_.store(0, std::memory_order_relaxed);
  const std::uint64_t generation = next_generation();
  publish(generation);
  drain(generation, 0);
  // Only chunks a worker already claimed are waited for.
  while (finished_.load(std::memory_order_acquire) != chunks) cpu_relax();
}

void WorkerPool::run_pinned(const std::function<void(int)>& job) {
  if (workers_.empty()) {
    job(0);
    return;
  }
  // No chunk of this generation can be claimed, so a worker that woke for
  // an earlier job and reaches drain() late does nothing.
  chunks_.store(0, std::memory_order_release);
  finished_.store(0, std::memory_order_relaxed);
  const std::uint64_t generation = next_generation();
  pinned_.store(&job, std::memory_order_release);
  pinned_generation_.store(generation, std::memory_order_release);
  publish(generation);
  job(0);
  // Every worker runs its part exactly once: it sees this generation once.
  while (finished_.load(std::memory_order_acquire) != workers_.size()) cpu_relax();
}

void WorkerPool::work(int index) {
  std::uint64_t seen = 0;
  for (;;) {
    int spins = 0;
    std::uint64_t now;
    while ((now = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpins)
        cpu_relax();
      else
        generation_.wait(seen, std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load()) return;
    if (pinned_generation_.load(std::memory_order_acquire) == now) {
      (*pinned_.load(std::memory_order_acquire))(index);
      finished_.fetch_add(1, std::memory_order_acq_rel);
      continue;
    }
    drain(now, index);
  }
}

}  // namespace recsys
