#pragma once
// A user's best items: scores for the whole catalogue in one matrix-vector
// product, then a partial selection of the top n.
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/io/trained_model.hpp"

namespace recsys {

struct Recommendation {
  std::uint32_t item;
  float logit;  // ranking key: sigmoid is monotonic, and logits separate near-ties
  float stars;  // predicted rating mapped back to the file's scale
};

// Ranked by predicted rating, ties to the lower item index. Items the user
// rated (training or validation rows) are left out unless include_rated;
// the list is shorter than n when fewer items remain.
std::vector<Recommendation> recommend(const TrainedModel& model, std::uint32_t user, std::size_t n,
                                      bool include_rated);

// The same for a user the model does not hold (a vector and bias fitted
// afterwards, fold_in.hpp), leaving out the items in excluded.
std::vector<Recommendation> recommend_for(const TrainedModel& model, std::span<const float> vec,
                                          float bias, std::span<const std::uint32_t> excluded,
                                          std::size_t n);

// The list of n that calibration (genre_calibration.hpp) picks from the
// model's calibration_pool(n) best: recommend_for's candidates re-ranked so
// the list's genre mix follows that of `profile` (the user's rated items).
// Throws Error when the model holds no genres.
std::vector<Recommendation> recommend_calibrated(const TrainedModel& model,
                                                 std::span<const float> vec, float bias,
                                                 std::span<const std::uint32_t> excluded,
                                                 std::span<const std::uint32_t> profile,
                                                 std::size_t n, double lambda);

}  // namespace recsys
