#pragma once
// The training progress bar on a terminal: epoch, a bar over the whole run,
// ratings/s and an ETA, redrawn from the trainer's batch hook at most five
// times a second, and cleared before each epoch's log line.
#include <chrono>
#include <cstddef>
#include <mutex>

namespace recsys::cli {

class ProgressBar {
 public:
  explicit ProgressBar(int epochs) : epochs_(epochs) {}
  // Training begins (after loading): the clock starts.
  void start(std::size_t rows_per_epoch);
  // From the batch hook: `done` of the current epoch's `total` batches.
  void batch(std::size_t done, std::size_t total);
  // Clears the bar before `epoch`'s log line; the next epoch follows.
  void epoch_done(int epoch);

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  int epochs_, epoch_ = 1;
  std::size_t rows_per_epoch_ = 0;
  Clock::time_point start_ = Clock::now(), last_draw_{};
  bool drawn_ = false;
};

}  // namespace recsys::cli
