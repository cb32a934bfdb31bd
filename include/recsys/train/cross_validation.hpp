#pragma once
// K-fold cross-validation, as Surprise's cross_validate: the ratings are cut
// into K folds, and each fold is held out in turn while a model trains on the
// others (in process, through fit()) and is scored on it: accuracy (rating
// models) and the ranking figures of `metrics`.
//
// Folds: Split::Random deals the rows out at random (sizes differ by at most
// one); Split::UserTime cuts each user's ratings, in time order, into K runs,
// fold k holding each user's k-th run; Split::Time cuts all ratings in time
// order into K runs. Early stopping is off in every fold: it would pick the
// epoch by the held-out fold, whose figures would then flatter the model.
#include <cstdint>
#include <functional>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/train/train_config.hpp"

namespace recsys {

struct CrossValidationOptions {
  DatasetOptions files;
  TrainConfig config;  // its split chooses how folds are cut; val_fraction is unused
  int folds = 5;
  MetricsOptions metrics;
};

struct FoldReport {
  int fold = 0;  // from 1
  std::size_t train_rows = 0, test_rows = 0;
  int epochs = 0;
  double seconds = 0;
  MetricsReport figures;
};

// Each row's fold (0 .. folds-1); timestamps are needed by the time splits.
std::vector<std::uint32_t> assign_folds(const Ratings& rows,
                                        const std::vector<std::int64_t>& timestamps, Split split,
                                        int folds, std::uint64_t seed, std::size_t n_users);

// Loads the files once, then trains and scores each fold in turn;
// on_fold sees each report as it is made. Throws Error.
std::vector<FoldReport> cross_validate(const CrossValidationOptions& options,
                                       const std::function<void(const FoldReport&)>& on_fold = {});

}  // namespace recsys
