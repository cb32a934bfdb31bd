#pragma once
// Epochs of shuffled mini-batches: forward/backward per batch, one Adam step,
// then the validation figures; optional early stopping that keeps the best
// epoch's weights.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/train/adam.hpp"
#include "recsys/train/block_grid.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/train_config.hpp"

namespace recsys {

// Shuffle::Auto picks Blocks above this many bytes of tables and moments
// (about half a typical server's L3); the group sizes aim at the L2 cache.
inline constexpr std::size_t kBlocksAbove = std::size_t(16) << 20;
inline constexpr std::size_t kUserGroupBytes = std::size_t(512) << 10;  // half a core's L2
inline constexpr std::size_t kItemGroupBytes = std::size_t(2) << 20;    // kept in L3 across blocks

// What Auto resolves to for this model and these settings.
Shuffle resolve_shuffle(const TrainConfig& config, const Embeddings& model);

struct EpochRecord {
  int epoch = 0;
  double train_mse = 0;  // mean of the epoch's batch MSEs, scaled units (the notebook's "Loss")
  double val_mse = 0;    // scaled units; NaN without validation rows
  double val_rmse = 0;   // stars
  double val_mae = 0;    // stars
  double seconds = 0;
};

// Where an epoch's time goes when training across ranks (ring_trainer.hpp),
// as rank 0 saw it, summed over the epochs: training its blocks, passing
// movie groups along the ring (waiting for the neighbour included), and the
// end of each epoch (sharing the movie tables, validation, adding up).
struct RingTimes {
  double training = 0, passing = 0, epoch_ends = 0;
  std::uint64_t bytes_passed = 0, bytes_shared = 0;  // sent by rank 0
};

struct TrainReport {
  std::vector<EpochRecord> history;
  RingTimes ring;      // zero unless trained across ranks
  int best_epoch = 0;  // the epoch whose weights the model holds
  bool stopped_early = false;
  bool interrupted = false;
  double seconds = 0;
  // The validation figures of the weights the model holds, when an epoch's
  // pass measured exactly those weights (not after a stop mid-epoch), so
  // that they need not be measured again.
  std::optional<Accuracy> held_validation;
};

struct TrainHooks {
  std::function<void(const EpochRecord&)> on_epoch;                   // after each epoch
  std::function<void(std::size_t done, std::size_t total)> on_batch;  // progress, may be empty
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the batch
  // Training across ranks (ring_trainer.hpp): whether on_epoch of this epoch
  // needs every user's row on rank 0 (a checkpoint). Empty: never.
  std::function<bool(int epoch)> wants_every_user;
};

// Trains with config's optimizer and schedule on config.threads threads (at
// least 1; 0 is resolved by fit()). config is assumed checked. With the
// blocks shuffle train_rows come back sorted by user, then item (the same
// set of rows).
TrainReport train(Embeddings& model, Ratings& train_rows, const Ratings& val_rows,
                  const Scaler& scaler, const TrainConfig& config, const TrainHooks& hooks);

// The blocks shuffle on rows already in their grid: fit() builds the grid
// itself, so that the rows are held once, as the grid keeps them.
BlockGrid make_block_grid(Ratings&& rows, const Embeddings& model, const TrainConfig& config);
TrainReport train(Embeddings& model, BlockGrid& grid, const Ratings& val_rows, const Scaler& scaler,
                  const TrainConfig& config, const TrainHooks& hooks);

}  // namespace recsys
