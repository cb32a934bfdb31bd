#pragma once
// The choice objective (choice_trainer.hpp) trained across the N ranks of an
// mpirun. Rank r holds the rows and the user vectors of user group r of a
// RingPlan; every rank holds the whole film table, equal on all of them.
//
// The user phase needs no exchange: with the films fixed, a user's step
// depends only on the film table and the user's own rows, so each rank
// steps its users exactly as one process would. In the film phase each rank
// works out, for every film, its users' share of the film's gradient (each
// term but the film's own weight decay is a sum over users); ring_sum adds
// the shares up, in the same order on every rank, and every rank then takes
// the same Adam step on every film, so the film tables stay equal without
// being sent. An epoch moves 2 (N-1)/N film tables' worth of floats per rank.
#include "recsys/data/ratings.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/ring_trainer.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"

namespace recsys {

// A collective call. model holds the whole tables, equal on every rank at
// the start; rows are the rows of this rank's user group. On return every
// rank holds the film tables and its own users; rank 0 every user's. hooks
// run on rank 0, as for train_ring; a stop request there ends every rank at
// the epoch's end.
TrainReport train_choice_on_ranks(Embeddings& model, const RingPlan& plan, const Ratings& rows,
                                  const TrainConfig& config, const TrainHooks& hooks,
                                  Communicator& ranks);

}  // namespace recsys
