#pragma once
// Training as one library call: load the data, split it, build the model,
// train it and return it complete, ready to save. The `train` command, the
// tests and any later command that trains (cross-validation, several
// processes) all come through here.
#include <atomic>
#include <functional>

#include "recsys/data/dataset.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/io/trained_model.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"

namespace recsys {

// What fit() knows once the data is loaded, before the first epoch.
struct FitStart {
  const Dataset& data;        // split, scaled, with titles
  const TrainConfig& config;  // threads resolved to the count used
  Shuffle shuffle;            // Auto resolved
  double load_seconds;
  std::size_t train_rows;  // over every rank of an mpirun (data.train holds rank 0's)
};

struct FitHooks {
  std::function<void(const FitStart&)> on_start;
  std::function<void(const EpochRecord&)> on_epoch;
  std::function<void(std::size_t done, std::size_t total)> on_batch;  // may be empty
  // Every checkpoint_every epochs (0 = never) but the last, a complete model
  // of the epoch just finished, e.g. to save.
  int checkpoint_every = 0;
  std::function<void(const TrainedModel&)> on_checkpoint;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the batch
};

struct FitResult {
  TrainedModel model;  // complete; when report.interrupted, as it stood at the stop
  TrainReport report;
  Accuracy validation;  // the returned weights on the validation rows
  Accuracy baseline;    // predicting the training mean for every validation row
  std::size_t train_rows = 0;
  double load_seconds = 0;
};

// The holdout (without data.val_path) is config's val_fraction, split and
// seed. config is checked here; throws recsys::Error.
FitResult fit(const DatasetOptions& data, const TrainConfig& config, const FitHooks& hooks = {});

// On ranks other than 0 of an mpirun (data.load.ranks set): their part of
// what fit(data, config) does on rank 0. Every rank reads a part of the
// files and ends with the rows of its user group (dataset_on_ranks.hpp);
// all train with them once rank 0 says go (ring_trainer.hpp for the rating
// objective, choice_ranks.hpp for the choice objective). Throws the Error rank 0
// meets when a read fails. Returns "" when its part is done, or what rank 0
// broadcast instead of the start of training (its exit code, when it
// stopped between the reads and the training).
std::string fit_follower(const DatasetOptions& data, const TrainConfig& config);

// The same on data already loaded and split (cross-validation trains each
// fold this way); source is what the model file records as its files.
FitResult fit(Dataset data, const TrainConfig& config, const FitHooks& hooks,
              const SourceInfo& source, double load_seconds = 0);

}  // namespace recsys
