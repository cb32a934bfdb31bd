#pragma once
// Epochs of shuffled mini-batches: forward/backward per batch, one Adam step,
// then the validation figures; optional early stopping that keeps the best
// epoch's weights.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/train/adam.hpp"
#include "recsys/train/model.hpp"

namespace recsys {

// How an epoch orders the training rows. Global: one shuffle of all rows, as
// PyTorch's DataLoader. Blocks: the stratified order of block_grid.hpp, for
// models whose tables and Adam moments do not fit in the cache. Auto picks
// Blocks for sparse adam when the tables and moments take more than
// kBlocksAbove bytes, Global otherwise.
enum class Shuffle { Auto, Global, Blocks };
inline constexpr std::size_t kBlocksAbove = std::size_t(16) << 20;      // half this machine's L3
inline constexpr std::size_t kUserGroupBytes = std::size_t(512) << 10;  // half a core's L2
inline constexpr std::size_t kItemGroupBytes = std::size_t(2)
                                               << 20;  // a core's L2, kept in L3 across blocks

struct TrainSettings {
  int epochs = 10;
  std::size_t batch = 64;
  AdamSettings adam;
  Adam::Mode mode = Adam::Mode::Sparse;
  std::uint64_t seed = 42;
  int early_stopping = 0;  // stop after this many epochs without a better val MSE; 0 = off
  int threads = 1;         // dense adam splits its row updates; sparse adam trains Hogwild style
  Shuffle shuffle = Shuffle::Auto;
  int block_groups = 0;  // Blocks: user groups; 0 sizes a user group's rows to kUserGroupBytes
};

// What Auto resolves to for this model and these settings.
Shuffle resolve_shuffle(const TrainSettings& settings, const Embeddings& model);

struct EpochRecord {
  int epoch = 0;
  double train_mse = 0;  // mean of the epoch's batch MSEs, scaled units (the notebook's "Loss")
  double val_mse = 0;    // scaled units; NaN without validation rows
  double val_rmse = 0;   // stars
  double val_mae = 0;    // stars
  double seconds = 0;
};

struct TrainReport {
  std::vector<EpochRecord> history;
  int best_epoch = 0;  // the epoch whose weights the model holds
  bool stopped_early = false;
  bool interrupted = false;
  double seconds = 0;
};

struct TrainHooks {
  std::function<void(const EpochRecord&)> on_epoch;                   // after each epoch
  std::function<void(std::size_t done, std::size_t total)> on_batch;  // progress, may be empty
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the batch
};

// Blocks reorders train_rows in place (the rows stay the same set).
TrainReport train(Embeddings& model, Ratings& train_rows, const Ratings& val_rows,
                  const Scaler& scaler, const TrainSettings& settings, const TrainHooks& hooks);

}  // namespace recsys
