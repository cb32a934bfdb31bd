#pragma once
// Dividing the rows of one ratings file into training and validation rows,
// when no validation file is given.
#include <cstdint>

#include "recsys/data/ratings.hpp"

namespace recsys {

// The holdout; TrainConfig holds these for a training run, and checks the
// fraction is in [0, 1).
struct HoldOut {
  double fraction = 0.1;
  std::uint64_t seed = 42;
};

// ceil(n * fraction) rows chosen at random with the seed (as many as sklearn's
// train_test_split holds out, though not the same ones) move to val; the rest
// stay in rows. Both parts keep file order.
void split_in_place(Ratings& rows, double val_fraction, std::uint64_t seed, Ratings& val);
// The same on a copy.
void random_split(const Ratings& all, double val_fraction, std::uint64_t seed, Ratings& train,
                  Ratings& val);

}  // namespace recsys
