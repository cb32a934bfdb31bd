#pragma once
// The rating objective trained across the N ranks of an mpirun, the block
// rotation of the DSGD and NOMAD trainers (docs/distributed.md). Users and
// movies are cut into N groups each, balanced by training rows. Rank r
// holds the rows, weights and Adam moments of user group r. An epoch is N
// sub-epochs: in sub-epoch s rank r trains the block (user group r, movie
// group (r + s) mod N) with sparse Adam, then passes that movie group (its
// vectors, biases and moments) to rank r - 1 along a ring, so that no two
// ranks ever update the same row. After the N-th pass every rank holds its
// own movie group again; the movie tables are then shared for the
// validation pass, whose sums are added up across ranks in rank order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/dist/ring_plan.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"

namespace recsys {

// Throws Error for settings that cannot run under mpirun: dense Adam moves
// every movie at every step, so no movie group could leave a rank. Every
// other setting trains across the ranks: the rating objective here, the
// choice objective in choice_ranks.hpp.
void check_distributable(const TrainConfig& config);

// Every rank's user vectors and biases, which rank r holds for user group
// r, to rank 0 (a collective call).
void gather_users(Embeddings& model, const RingPlan& plan, Communicator& ranks);

// Throws Error before training when gathering every user's row to rank 0
// at the end would pass MPI's 2 GiB in one exchange.
void check_exchange_sizes(const RingPlan& plan, int dim);

// Rank 0's go to the other ranks, with the table sizes and the scale (each
// rank computed the same plan itself while loading). Text that does not
// start as a packed start is not one (rank 0 sends its exit code instead
// when it stops before training).
struct RingStart {
  std::uint32_t n_users = 0, n_items = 0;
  Scaler scaler;
  std::string pack() const;
  static bool is_packed(std::string_view bytes);
  static RingStart unpack(std::string_view bytes);
};

// Trains on every rank at once (a collective call). model holds the whole
// tables, equal on every rank at the start; rows and val_rows the rows of
// this rank's user group. On return every rank holds the final movie tables
// (the best epoch's with early stopping) and its own users' rows; rank 0
// also every user's, gathered. hooks run on rank 0: on_epoch with the
// figures of every rank, and before it, at the epochs wants_every_user
// names, the user tables are gathered so that rank 0 can save the model.
TrainReport train_ring(Embeddings& model, const RingPlan& plan, Ratings rows,
                       const Ratings& val_rows, const Scaler& scaler, const TrainConfig& config,
                       const TrainHooks& hooks, Communicator& ranks);

}  // namespace recsys
