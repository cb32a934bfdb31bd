#include "recsys/eval/recommender.hpp"

#include <Eigen/Core>
#include <algorithm>

#include "recsys/eval/genre_calibration.hpp"

namespace recsys {

std::vector<Recommendation> recommend(const TrainedModel& model, std::uint32_t user, std::size_t n,
                                      bool include_rated) {
  std::vector<std::uint32_t> rated;
  if (!include_rated) {
    for (const auto i : model.train_rated.of(user)) rated.push_back(i);
    for (const auto i : model.validation_rated.of(user)) rated.push_back(i);
  }
  const Embeddings& e = model.tables;
  return recommend_for(model, {e.user_row(user), std::size_t(e.dim)}, e.user_bias[user], rated, n);
}

std::vector<Recommendation> recommend_for(const TrainedModel& model, std::span<const float> vec,
                                          float bias, std::span<const std::uint32_t> excluded_items,
                                          std::size_t n) {
  const Embeddings& e = model.tables;
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Matrix> items(e.item_vec.data(), e.n_items, e.dim);
  const Eigen::Map<const Eigen::VectorXf> u(vec.data(), e.dim);
  Eigen::VectorXf logits = items * u;
  logits.array() += bias + Eigen::Map<const Eigen::ArrayXf>(e.item_bias.data(), e.n_items);

  std::vector<std::uint32_t> candidates;
  candidates.reserve(e.n_items);
  std::vector<std::uint8_t> excluded(e.n_items, 0);
  for (const auto i : excluded_items)
    if (i < e.n_items) excluded[i] = 1;
  for (std::uint32_t i = 0; i < e.n_items; ++i)
    if (!excluded[i]) candidates.push_back(i);
  const std::size_t k = std::min(n, candidates.size());
  auto better = [&](std::uint32_t a, std::uint32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k),
                    candidates.end(), better);
  std::vector<Recommendation> out;
  out.reserve(k);
  for (std::size_t r = 0; r < k; ++r) {
    const std::uint32_t i = candidates[r];
    out.push_back(
        {i, logits[i], static_cast<float>(model.scaler.to_stars(Embeddings::sigmoid(logits[i])))});
  }
  return out;
}

std::vector<Recommendation> recommend_calibrated(const TrainedModel& model,
                                                 std::span<const float> vec, float bias,
                                                 std::span<const std::uint32_t> excluded,
                                                 std::span<const std::uint32_t> profile,
                                                 std::size_t n, double lambda) {
  const GenreIndex genres = GenreIndex::required(model.genres);
  const auto pool = recommend_for(model, vec, bias, excluded, calibration_pool(n));
  std::vector<std::uint32_t> items;
  std::vector<float> logits;
  for (const auto& r : pool) {
    items.push_back(r.item);
    logits.push_back(r.logit);
  }
  const auto order = calibrated_order(genres, genre_mix(genres, profile), items, logits, n, lambda);
  std::vector<Recommendation> out;
  for (const auto at : order) out.push_back(pool[at]);
  return out;
}

}  // namespace recsys
