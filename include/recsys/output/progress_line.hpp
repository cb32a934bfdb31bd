#pragma once
// The one-line progress display of long work on a terminal: where training
// stands (epoch, a bar over the whole run), how fast it goes and when it
// should end. Plain strings, so the figures can be checked by hand.
#include <cstddef>
#include <string>

namespace recsys {

struct TrainingProgress {
  int epoch = 1, epochs = 1;       // the epoch under way, from 1
  double epoch_fraction = 0;       // of it done, 0..1
  std::size_t rows_per_epoch = 0;  // ratings one epoch passes over
  double seconds = 0;              // since training began
};

// "1:05", "12:00", "1:02:03": minutes and seconds, hours when there are any.
std::string clock_duration(double seconds);

// "850", "12.3 k", "1.23 M": three significant figures with a k/M/G prefix.
std::string short_count(double n);

// "epoch 3/10 [=======>        ]  27%  1.23 M ratings/s  ETA 0:42"; the
// rate and ETA are averages over the run so far, "--" before there is one.
std::string progress_line(const TrainingProgress& p);

}  // namespace recsys
