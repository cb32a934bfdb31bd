#pragma once
// One (user, movie) pair's prediction from a model, with a stated fallback
// when the model does not know the user or the movie: a rating model falls
// back to the movie's mean rating, or to the mean of all training ratings
// for an unknown movie; a choice model has no such fallback (its scores
// rank one user's films, they are no quantity a mean could stand in for).
#include <cstdint>
#include <optional>

#include "recsys/io/trained_model.hpp"

namespace recsys {

enum class PredictionSource { model, movie_mean, global_mean, none };

struct PairPrediction {
  double value;  // stars (rating model) or choice score; NaN when source is none
  PredictionSource source;
};

// user and item are indexes in m's maps, or nullopt when unknown.
PairPrediction predict_pair(const TrainedModel& m, std::optional<std::uint32_t> user,
                            std::optional<std::uint32_t> item);

// "model", "movie_mean", "global_mean", "none".
const char* source_name(PredictionSource source);

}  // namespace recsys
