#pragma once
// `recsys metrics` without the command line: every user's top-k lists, then
// the accuracy, ranking and beyond-accuracy figures of one model on one set
// of held-out rows.
//
// Two sets of lists, selected from the same scores:
//  - beyond-accuracy lists leave out every movie the model file records as
//    rated by the user (training and validation rows), as `recsys topn` and
//    the notebook do;
//  - ranking lists leave out those movies too, except the user's held-out
//    movies under evaluation: on the validation rows that means only the
//    training movies are left out (leaving out validation movies would hide
//    every relevant one).
// With include_rated nothing is left out and both are the same lists.
// A user's genre mix, for calibration, is that of their training movies.
//
// Beside the model's figures, the same ranking and beyond-accuracy figures of
// the most-popular recommender (eval/popularity) on the same held-out rows,
// with the same exclusions, k and users: the yardstick of those figures.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/eval/beyond_accuracy.hpp"
#include "recsys/eval/ranking_metrics.hpp"
#include "recsys/io/trained_model.hpp"

namespace recsys {

struct MetricsOptions {
  std::size_t k = 10;
  bool include_rated = false;  // keep rated movies in the lists (the notebook's other variant)
  double relevant = 4.0;       // a held-out rating of at least this many stars is relevant
  bool accuracy = true, ranking = true, beyond = true;  // which families to compute
  int threads = 0;                                      // 0: one per core
  bool per_user = false;  // also each user's figures (of the families computed)
  // Re-rank each list for its genre mix (genre_calibration.hpp) with this
  // lambda; 0 keeps the model's order. The yardstick's lists stay as they are.
  double calibrate = 0;
  bool calibration = false;  // the miscalibration figure (beyond-accuracy lists)
};

// Each user's figures, by user index, when MetricsOptions::per_user: the
// ranking figures on the ranking lists, the list figures on the
// beyond-accuracy lists (the lists `topn` shows), as in the overall figures.
struct PerUserFigures {
  std::vector<std::uint32_t> held_out_rows;  // held-out rows of the user, repeats included
  std::vector<UserRanking> ranking;          // empty unless ranking figures were computed
  std::vector<UserList> lists;               // empty unless beyond-accuracy figures were
};

// The ranking and beyond-accuracy figures of one recommender's lists.
struct ListFigures {
  RankingMetrics ranking;
  BeyondAccuracy beyond;
};

struct MetricsReport {
  std::size_t k = 0;
  std::size_t users = 0;  // users with a list: every user of the model
  bool excluded_rated = true;
  std::size_t eval_rows = 0;
  double training_mean = std::numeric_limits<double>::quiet_NaN();
  Accuracy accuracy, baseline;  // baseline: predicting training_mean for every row
  RankingMetrics ranking;
  BeyondAccuracy beyond;
  // The most-popular recommender's figures. Its diversity is measured with
  // this model's embeddings, as it has none of its own.
  ListFigures popularity;
  PerUserFigures per_user;  // filled only when asked for
};

// held_out: the model's validation rows, or a test file mapped onto the model's indexes.
MetricsReport evaluate(const TrainedModel& model, const Ratings& held_out,
                       const MetricsOptions& options);

// The mean star rating of the training rows, as the model file records it.
// A version 1 file did not: there it is derived from the per-item counts and
// means (over training and validation rows together) minus the validation
// rows.
double training_mean(const TrainedModel& model);

struct HeldOutRows {
  Ratings rows;
  std::size_t unknown = 0;  // rows dropped: user or movie not in the model
};

// A ratings file in the model's index space. Rows whose user or movie the
// model has never seen cannot be scored, so they are dropped and counted.
HeldOutRows load_held_out(const TrainedModel& model, const std::string& path,
                          const LoadOptions& options);

}  // namespace recsys
