#include "train_progress.hpp"

#include <cstdio>

#include "recsys/output/progress_line.hpp"

namespace recsys::cli {

void ProgressBar::start(std::size_t rows_per_epoch) {
  const std::lock_guard lock(mutex_);
  rows_per_epoch_ = rows_per_epoch;
  start_ = Clock::now();
}

void ProgressBar::batch(std::size_t done, std::size_t total) {
  const auto now = Clock::now();
  const std::lock_guard lock(mutex_);
  // Writing to the terminal costs more than a batch: a few redraws a second suffice.
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  TrainingProgress p;
  p.epoch = epoch_;
  p.epochs = epochs_;
  p.epoch_fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 0;
  p.rows_per_epoch = rows_per_epoch_;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s", progress_line(p).c_str());
  std::fflush(stderr);
  last_draw_ = now;
  drawn_ = true;
}

void ProgressBar::epoch_done(int epoch) {
  const std::lock_guard lock(mutex_);
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  epoch_ = epoch + 1;
  drawn_ = false;
}

}  // namespace recsys::cli
