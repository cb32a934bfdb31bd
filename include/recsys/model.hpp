#pragma once
// The model: prediction = sigmoid(user_vec . item_vec + user_bias + item_bias)
// in scaled units, trained on the mean squared error. Forward and backward
// are written out by hand; there is no autodiff.
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/rng.hpp"

namespace recsys {

// The four parameter tables, each one contiguous row-major block.
struct Embeddings {
  int dim = 0;
  std::uint32_t n_users = 0;
  std::uint32_t n_items = 0;
  std::vector<float> user_vec;   // n_users x dim
  std::vector<float> item_vec;   // n_items x dim
  std::vector<float> user_bias;  // n_users
  std::vector<float> item_bias;  // n_items

  // Every entry of every table N(0, init_std^2); init_std 1 is nn.Embedding's default.
  static Embeddings random(std::uint32_t n_users, std::uint32_t n_items, int dim,
                           double init_std, Rng& rng);

  const float* user_row(std::uint32_t u) const { return user_vec.data() + std::size_t(u) * dim; }
  const float* item_row(std::uint32_t i) const { return item_vec.data() + std::size_t(i) * dim; }
  float logit(std::uint32_t u, std::uint32_t i) const;
  float predict(std::uint32_t u, std::uint32_t i) const { return sigmoid(logit(u, i)); }

  static float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }
};

// Rows the trainer streams: dense indexes and the scaled target of each rating.
struct TrainingRows {
  std::span<const std::uint32_t> user;
  std::span<const std::uint32_t> item;
  std::span<const float> target;
  std::size_t size() const { return target.size(); }
};

// Gradient buffers shaped like the tables. Only rows a batch touched are
// non-zero, and they are listed so that clearing and sparse updates cost
// O(batch), not O(table).
class Gradients {
 public:
  explicit Gradients(const Embeddings& shape);

  std::vector<float> user_vec, item_vec, user_bias, item_bias;
  std::vector<std::uint32_t> touched_users, touched_items;  // unique, in order of first touch

  void mark_user(std::uint32_t u);
  void mark_item(std::uint32_t i);
  void clear();  // zeroes the touched rows and forgets them

 private:
  int dim_;
  std::vector<std::uint8_t> user_marked_, item_marked_;
};

// Forward and backward over one batch (indexes into rows): adds d(batch MSE)/d(theta)
// into grad and returns the batch MSE. Repeated rows accumulate, as in PyTorch.
double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad);

}  // namespace recsys
