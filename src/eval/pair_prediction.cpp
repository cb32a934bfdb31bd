#include "recsys/eval/pair_prediction.hpp"

#include <limits>

#include "recsys/eval/evaluation.hpp"

namespace recsys {

PairPrediction predict_pair(const TrainedModel& m, std::optional<std::uint32_t> user,
                            std::optional<std::uint32_t> item) {
  if (user && item) return {m.shown_score(m.tables.logit(*user, *item)), PredictionSource::model};
  if (!m.predicts_stars())
    return {std::numeric_limits<double>::quiet_NaN(), PredictionSource::none};
  if (item && *item < m.stats.count.size() && m.stats.count[*item] > 0)
    return {m.stats.mean[*item], PredictionSource::movie_mean};
  return {training_mean(m), PredictionSource::global_mean};
}

const char* source_name(PredictionSource source) {
  switch (source) {
    case PredictionSource::model:
      return "model";
    case PredictionSource::movie_mean:
      return "movie_mean";
    case PredictionSource::global_mean:
      return "global_mean";
    case PredictionSource::none:
      return "none";
  }
  return "none";
}

}  // namespace recsys
