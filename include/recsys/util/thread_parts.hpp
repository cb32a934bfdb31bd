#pragma once
// One-off work cut into parts, each on a thread of its own for the length of
// one call (before a WorkerPool exists, or where the parts are few and long).
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace recsys {

// Runs work(k) for every k in [0, parts): part 0 on the calling thread, the
// others on threads started for this call, and returns when all are done.
// A part's exception (out of memory in a helper) is not left to end the
// process: the failures come back to the caller, one per part, in part order.
template <typename Work>
std::vector<std::exception_ptr> run_thread_parts(std::size_t parts, Work&& work) {
  std::vector<std::exception_ptr> failed(parts);
  const auto guarded = [&](std::size_t k) {
    try {
      work(k);
    } catch (...) {
      failed[k] = std::current_exception();
    }
  };
  {
    // jthreads join when destroyed, also when starting a later one throws.
    std::vector<std::jthread> helpers;
    for (std::size_t k = 1; k < parts; ++k) helpers.emplace_back(guarded, k);
    if (parts > 0) guarded(0);
  }
  return failed;
}

// run_thread_parts, rethrowing the first part's failure, if any.
template <typename Work>
void run_thread_parts_or_throw(std::size_t parts, Work&& work) {
  for (const auto& failure : run_thread_parts(parts, std::forward<Work>(work)))
    if (failure) std::rethrow_exception(failure);
}

}  // namespace recsys
