#pragma once
// A user the model has never seen, fitted from a few ratings with every
// movie's vector and bias held fixed ("folding in"), so that a new user gets
// recommendations without retraining. The user's vector minimises the
// model's own loss over that user's rows:
//
//  - choice objective: the loss is quadratic in the user's vector, so the
//    minimum is one linear solve (implicit ALS's user step):
//      (alpha G + (1 - alpha) G_R + lambda I) u = sum_R v_i - (1 - alpha) sum_R b_i v_i - alpha sum
//      b_i v_i
//    with G the Gramian of all movie vectors, G_R that of the rated ones,
//    alpha the negative weight and lambda the weight decay; the user bias is 0.
//  - rating objective: sum_R (sigmoid(u . v_i + b + b_i) - t_i)^2 + lambda (|u|^2 + b^2) / 2,
//    with t the rating scaled as in training, minimised by full-batch Adam
//    from zero (deterministic; a few hundred steps over a handful of rows).
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/io/trained_model.hpp"

namespace recsys {

struct RatedMovie {
  std::uint32_t item;
  float stars;
};

struct FoldedUser {
  std::vector<float> vec;  // dim floats
  float bias = 0;
};

// rated must name items of m; throws Error when it is empty.
FoldedUser fold_in_user(const TrainedModel& m, std::span<const RatedMovie> rated);

// The films a new user liked: those rated at or above the user's own mean
// rating. Their genres are the mix a calibrated list follows; a film the
// user disliked says what not to show.
std::vector<std::uint32_t> liked_movies(std::span<const RatedMovie> rated);

}  // namespace recsys
