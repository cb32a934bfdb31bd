#pragma once
// Adam with torch.optim.Adam's rule: weight decay added to the gradient,
// m and v running averages, eps added after the bias correction of sqrt(v),
// one step counter shared by all tables.
//
//   g = grad + wd * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//
// Dense mode applies it to every row of every table at every step, as PyTorch
// does for dense nn.Embedding gradients (rows outside the batch keep moving on
// their momentum). Sparse mode touches only the rows in the batch, like
// torch.optim.SparseAdam (which puts eps before the bias correction; we keep
// Adam's placement in both modes so they differ only in which rows move).
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/kernels/kernels.hpp"
#include "recsys/train/model.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {

struct AdamSettings {
  float lr = 0.01f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
};

class Adam {
 public:
  enum class Mode { Dense, Sparse };

  Adam(const Embeddings& shape, AdamSettings settings, Mode mode);

  // One step from the gradients of one batch; grad is left untouched. With a
  // pool, dense mode splits tables of over 2^14 parameters between its
  // threads; every element's arithmetic is the same whatever the split, so
  // results do not depend on it.
  void step(Embeddings& model, const Gradients& grad, WorkerPool* pool = nullptr);
  std::int64_t steps() const { return steps_.load(); }
  // The learning rate of the steps from now on (a schedule sets it per epoch).
  void set_lr(float lr) { settings_.lr = lr; }

  // Hogwild: several threads each call this with their own batch's gradients,
  // updating the shared tables and moments without locks (as word2vec and
  // fastText do). Collisions are rare because a batch touches few rows; each
  // call takes the next value of the shared step counter for its bias correction.
  void sparse_step_concurrent(Embeddings& model, const Gradients& grad);
  Mode mode() const { return mode_; }
  // Sparse mode: the moments of items [first, end), 2 (dim + 1) floats
  // each, which travel with a movie group from rank to rank.
  std::span<float> item_moments(std::uint32_t first, std::uint32_t end, int dim) {
    const std::size_t row = 2 * (std::size_t(dim) + 1);
    return {item_state_.data() + first * row, (end - first) * row};
  }

  // The per-step constants of the update, public for the tests.
  using Coefficients = kernels::AdamCoefficients;
  static Coefficients coefficients(const AdamSettings& s, std::int64_t t);
  // The update of n contiguous parameters, with the active kernel set.
  static void update(float* p, float* m, float* v, const float* g, std::size_t n,
                     const Coefficients& c) {
    kernels::active().adam(p, m, v, g, n, c);
  }

 private:
  AdamSettings settings_;
  Mode mode_;
  std::atomic<std::int64_t> steps_{0};
  void sparse_update(Embeddings& model, const Gradients& grad, const Coefficients& c);
  // Dense mode: m and v shaped like the four tables, so a run of untouched
  // rows is one contiguous stretch of each.
  std::vector<float> m_user_vec_, v_user_vec_, m_item_vec_, v_item_vec_;
  std::vector<float> m_user_bias_, v_user_bias_, m_item_bias_, v_item_bias_;
  // Sparse mode: per row, m and v of its weights and bias side by side
  // (2 x (dim + 1) floats), so a touched row's state is one contiguous run
  // instead of four places in four tables.
  std::vector<float> user_state_, item_state_;
  // Dense mode: each table's touched rows of the batch, sorted, and their slots.
  std::vector<std::uint32_t> user_rows_, user_slots_, item_rows_, item_slots_;
  std::vector<std::uint64_t> keys_;  // scratch for the sort
};

}  // namespace recsys
