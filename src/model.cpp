#include "recsys/model.hpp"

#include <Eigen/Core>
#include <algorithm>

namespace recsys {
namespace {
using ConstRow = Eigen::Map<const Eigen::VectorXf>;
using Row = Eigen::Map<Eigen::VectorXf>;

void fill_normal(std::vector<float>& table, std::size_t n, double std_dev, Rng& rng) {
  table.resize(n);
  for (auto& x : table) x = static_cast<float>(rng.normal() * std_dev);
}
}  // namespace

Embeddings Embeddings::random(std::uint32_t n_users, std::uint32_t n_items, int dim,
                              double init_std, Rng& rng) {
  Embeddings e;
  e.dim = dim;
  e.n_users = n_users;
  e.n_items = n_items;
  // Same order as the notebook's module: user vectors, user bias, item vectors, item bias.
  fill_normal(e.user_vec, std::size_t(n_users) * dim, init_std, rng);
  fill_normal(e.user_bias, n_users, init_std, rng);
  fill_normal(e.item_vec, std::size_t(n_items) * dim, init_std, rng);
  fill_normal(e.item_bias, n_items, init_std, rng);
  return e;
}

float Embeddings::logit(std::uint32_t u, std::uint32_t i) const {
  return ConstRow(user_row(u), dim).dot(ConstRow(item_row(i), dim)) + user_bias[u] +
         item_bias[i];
}

Gradients::Gradients(const Embeddings& shape)
    : user_vec(shape.user_vec.size(), 0.0f),
      item_vec(shape.item_vec.size(), 0.0f),
      user_bias(shape.user_bias.size(), 0.0f),
      item_bias(shape.item_bias.size(), 0.0f),
      dim_(shape.dim),
      user_marked_(shape.n_users, 0),
      item_marked_(shape.n_items, 0) {}

void Gradients::mark_user(std::uint32_t u) {
  if (!user_marked_[u]) {
    user_marked_[u] = 1;
    touched_users.push_back(u);
  }
}

void Gradients::mark_item(std::uint32_t i) {
  if (!item_marked_[i]) {
    item_marked_[i] = 1;
    touched_items.push_back(i);
  }
}

void Gradients::clear() {
  for (auto u : touched_users) {
    std::fill_n(user_vec.begin() + std::size_t(u) * dim_, dim_, 0.0f);
    user_bias[u] = 0.0f;
    user_marked_[u] = 0;
  }
  for (auto i : touched_items) {
    std::fill_n(item_vec.begin() + std::size_t(i) * dim_, dim_, 0.0f);
    item_bias[i] = 0.0f;
    item_marked_[i] = 0;
  }
  touched_users.clear();
  touched_items.clear();
}

double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad) {
  const int dim = model.dim;
  const float scale = 2.0f / static_cast<float>(batch.size());  // d(mean of squares)/d(error)
  double squared_error = 0.0;
  // The rows of a shuffled batch are random memory accesses: ask for the rows
  // a few ratings ahead while this one is computed.
  constexpr std::size_t kAhead = 8;
  for (std::size_t k = 0; k < batch.size(); ++k) {
    if (k + kAhead < batch.size()) {
      const std::uint32_t ahead = batch[k + kAhead];
      __builtin_prefetch(model.user_row(rows.user[ahead]));
      __builtin_prefetch(model.item_row(rows.item[ahead]));
      __builtin_prefetch(grad.user_vec.data() + std::size_t(rows.user[ahead]) * dim, 1);
      __builtin_prefetch(grad.item_vec.data() + std::size_t(rows.item[ahead]) * dim, 1);
    }
    const std::uint32_t r = batch[k];
    const std::uint32_t u = rows.user[r];
    const std::uint32_t i = rows.item[r];
    const float p = model.predict(u, i);
    const float error = p - rows.target[r];
    squared_error += double(error) * error;
    const float dz = scale * error * p * (1.0f - p);  // through the sigmoid
    grad.mark_user(u);
    grad.mark_item(i);
    Row(grad.user_vec.data() + std::size_t(u) * dim, dim) += dz * ConstRow(model.item_row(i), dim);
    Row(grad.item_vec.data() + std::size_t(i) * dim, dim) += dz * ConstRow(model.user_row(u), dim);
    grad.user_bias[u] += dz;
    grad.item_bias[i] += dz;
  }
  return squared_error / static_cast<double>(batch.size());
}

}  // namespace recsys
