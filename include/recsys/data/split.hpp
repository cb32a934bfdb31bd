#pragma once
// Dividing the rows of one ratings file into training and validation rows,
// when no validation file is given.
#include <cstddef>
#include <cstdint>
#include <span>

#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {

// Which rows are held out. Random: a random share of all rows. UserTime: each
// user's latest ratings, to validate on what a user rates next from what they
// rated before. Time: the latest ratings of all, to validate on the future
// from the past. The time splits need each row's timestamp.
enum class Split { Random, UserTime, Time };

// The holdout; TrainConfig holds these for a training run, and checks the
// fraction is in [0, 1).
struct HoldOut {
  double fraction = 0.1;
  std::uint64_t seed = 42;  // Random only
  Split split = Split::Random;
};

// How many of n rows a holdout of val_fraction takes: ceil(n * fraction).
std::size_t rows_to_hold_out(std::size_t n, double val_fraction);

// Knuth's selection sampling (algorithm S), one row at a time: next() says
// whether the next of n rows is held out; exactly `hold` of them are, every
// subset of that size alike. split_in_place draws with it, and so does each
// MPI rank over the whole file's rows, so that they hold out the same rows.
class HoldOutDraw {
 public:
  HoldOutDraw(std::size_t n, std::size_t hold, std::uint64_t seed);
  bool next();

 private:
  Rng rng_;
  std::size_t n_, k_ = 0, needed_;
};

// ceil(n * fraction) rows chosen at random with the seed (as many as sklearn's
// train_test_split holds out, though not the same ones) move to val; the rest
// stay in rows. Both parts keep file order. threads > 1: the draws are made
// on a second thread beside the compaction (the same rows move).
void split_in_place(Ratings& rows, double val_fraction, std::uint64_t seed, Ratings& val,
                    int threads = 1);
// The same on a copy.
void random_split(const Ratings& all, double val_fraction, std::uint64_t seed, Ratings& train,
                  Ratings& val);

// In the time splits "latest" orders rows by timestamp (timestamps[k] is row
// k's) and rows with equal timestamps by file order, a later line being the
// later rating; so the parts never depend on a sort's whims. Both parts keep
// file order, as in the random split.
//
// UserTime: each user's latest min(ceil(n_u * fraction), n_u - 1) rows move to
// val, n_u being the user's row count: at least one when the fraction is not
// 0, and never all of them, so a user with one rating stays in training.
// n_users bounds the user indexes.
void user_time_split_in_place(Ratings& rows, std::span<const std::int64_t> timestamps,
                              double val_fraction, std::size_t n_users, Ratings& val);
// Which rows UserTime holds out, moving nothing: true for those.
std::vector<bool> mark_latest_of_each_user(const Ratings& rows,
                                           std::span<const std::int64_t> timestamps,
                                           double val_fraction, std::size_t n_users);
// Time: the latest ceil(n * fraction) rows of all move to val (a global
// cutoff in time), as many as the random split holds out.
void time_split_in_place(Ratings& rows, std::span<const std::int64_t> timestamps,
                         double val_fraction, Ratings& val);

}  // namespace recsys
