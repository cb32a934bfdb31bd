#pragma once
// The model: prediction = sigmoid(user_vec . item_vec + user_bias + item_bias)
// in scaled units, trained on the mean squared error. Forward and backward
// are written out by hand; there is no autodiff.
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/util/rng.hpp"

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
  // The values are rng's draws in table order whatever `threads` computes them.
  static Embeddings random(std::uint32_t n_users, std::uint32_t n_items, int dim, double init_std,
                           Rng& rng, int threads = 1);

  kernels::TablesView view() const {
    return {std::size_t(dim), user_vec.data(), item_vec.data(), user_bias.data(), item_bias.data()};
  }
  const float* user_row(std::uint32_t u) const { return user_vec.data() + std::size_t(u) * dim; }
  const float* item_row(std::uint32_t i) const { return item_vec.data() + std::size_t(i) * dim; }
  float logit(std::uint32_t u, std::uint32_t i) const;
  float predict(std::uint32_t u, std::uint32_t i) const { return sigmoid(logit(u, i)); }

  static float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }
};

// Rows the trainer streams: dense indexes and the star rating of each, scaled
// to the model's [0, 1] target on the fly (a scaled copy would cost 4 bytes a
// rating for nothing). The default scaler is the identity. The ratings are
// floats, or codes with their codebook as a StarColumn keeps them.
struct TrainingRows {
  std::span<const std::uint32_t> user;
  std::span<const std::uint32_t> item;
  std::span<const float> rating;  // a float per row, or empty with codes
  Scaler scaler{0.0, 1.0};
  std::span<const std::uint8_t> codes = {};  // a codebook index per row (star_column.hpp)
  const float* codebook = nullptr;

  static TrainingRows of(const Ratings& rows, const Scaler& scaler) {
    if (rows.stars.coded())
      return {rows.user, rows.item, {}, scaler, rows.stars.codes(), rows.stars.codebook()};
    return {rows.user, rows.item, rows.stars.floats(), scaler};
  }
  std::size_t size() const { return user.size(); }
  float stars(std::size_t r) const { return codebook ? codebook[codes[r]] : rating[r]; }
  float target(std::size_t r) const { return scaler.to_unit(stars(r)); }
  kernels::RowsView view() const {
    return {user.data(), item.data(),  codebook ? nullptr : rating.data(), codes.data(), codebook,
            scaler.min,  scaler.span()};
  }
};

// The gradients of one batch. A batch touches at most `batch` users and items,
// so their gradient rows live in small slot arrays that stay in cache, found
// through a slot map, instead of in tables as large as the model (which cost
// a cache miss per rating and the model's size again per thread). Each slot
// row holds dim vector entries followed by the bias.
//
// Each thread has its own Gradients, side by side in a vector: alignas keeps
// one thread's vector headers (whose end pointers move at every new slot) off
// the cache line of the next thread's.
class alignas(64) Gradients {
 public:
  explicit Gradients(const Embeddings& shape);

  int dim() const { return dim_; }
  std::uint32_t n_users() const { return static_cast<std::uint32_t>(user_slot_of_.size()); }
  std::uint32_t n_items() const { return static_cast<std::uint32_t>(item_slot_of_.size()); }
  std::size_t width() const { return std::size_t(dim_) + 1; }
  // Touched rows, unique, in order of first touch: slot k belongs to touched_users[k].
  std::vector<std::uint32_t> touched_users, touched_items;

  // The slot of user u (item i), a zeroed row added on first touch.
  std::uint32_t user_slot(std::uint32_t u) {
    if (user_slot_of_[u] == kNone) user_slot_of_[u] = add_slot(touched_users, user_rows_, u);
    return user_slot_of_[u];
  }
  std::uint32_t item_slot(std::uint32_t i) {
    if (item_slot_of_[i] == kNone) item_slot_of_[i] = add_slot(touched_items, item_rows_, i);
    return item_slot_of_[i];
  }
  float* user_grad(std::uint32_t slot) { return user_rows_.data() + slot * width(); }
  float* item_grad(std::uint32_t slot) { return item_rows_.data() + slot * width(); }
  const float* user_grads() const { return user_rows_.data(); }  // touched_users.size() rows
  const float* item_grads() const { return item_rows_.data(); }
  // d/d(user_vec[u][k]) (k == dim: the bias); 0 for a row the batch did not touch.
  float user_value(std::uint32_t u, int k) const;
  float item_value(std::uint32_t i, int k) const;

  void clear();  // forgets the touched rows; O(rows touched)

  // For the batch kernel: the slot tables with room for `more` new slots on
  // each side; close_slots keeps the slots the kernel opened.
  kernels::SlotTable open_user_slots(std::size_t more);
  kernels::SlotTable open_item_slots(std::size_t more);
  void close_slots(const kernels::SlotTable& users, const kernels::SlotTable& items);

 private:
  static constexpr std::uint32_t kNone = kernels::SlotTable::kNoSlot;
  std::uint32_t add_slot(std::vector<std::uint32_t>& touched, std::vector<float>& rows,
                         std::uint32_t index);
  int dim_;
  std::vector<std::uint32_t> user_slot_of_, item_slot_of_;  // kNone when untouched
  std::vector<float> user_rows_, item_rows_;  // size kept across batches: rows are reused
};

// Forward and backward over one batch: adds d(batch MSE)/d(theta) into grad
// and returns the batch MSE. Repeated rows accumulate, as in PyTorch. The
// batch is either a list of indexes into rows or the n rows from `first`.
double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad);
double accumulate_range_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::size_t first, std::size_t n, Gradients& grad);

}  // namespace recsys
