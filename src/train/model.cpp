#include "recsys/train/model.hpp"

#include <algorithm>

#include "recsys/util/huge_pages.hpp"

namespace recsys {
namespace {
void fill_normal(std::vector<float>& table, std::size_t n, double std_dev, Rng& rng) {
  reserve_huge(table, n);
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
  return kernels::active().dot(user_row(u), item_row(i), std::size_t(dim)) + user_bias[u] +
         item_bias[i];
}

Gradients::Gradients(const Embeddings& shape)
    : dim_(shape.dim), user_slot_of_(shape.n_users, kNone), item_slot_of_(shape.n_items, kNone) {}

std::uint32_t Gradients::add_slot(std::vector<std::uint32_t>& touched, std::vector<float>& rows,
                                  std::uint32_t index) {
  const auto slot = static_cast<std::uint32_t>(touched.size());
  touched.push_back(index);
  // rows only grows (clear() keeps it): after the first batches a new slot
  // is a short inline fill, not a resize and a call to memset.
  const std::size_t end = (std::size_t(slot) + 1) * width();
  if (rows.size() < end) rows.resize(end);
  std::fill_n(rows.data() + end - width(), width(), 0.0f);
  return slot;
}

float Gradients::user_value(std::uint32_t u, int k) const {
  const std::uint32_t slot = user_slot_of_[u];
  return slot == kNone ? 0.0f : user_rows_[slot * width() + std::size_t(k)];
}

float Gradients::item_value(std::uint32_t i, int k) const {
  const std::uint32_t slot = item_slot_of_[i];
  return slot == kNone ? 0.0f : item_rows_[slot * width() + std::size_t(k)];
}

void Gradients::clear() {
  for (const auto u : touched_users) user_slot_of_[u] = kNone;
  for (const auto i : touched_items) item_slot_of_[i] = kNone;
  touched_users.clear();
  touched_items.clear();
  // user_rows_ and item_rows_ keep their size: a slot row is zeroed when taken.
}

namespace {
kernels::SlotTable open_slots(std::vector<std::uint32_t>& slot_of,
                              std::vector<std::uint32_t>& touched, std::vector<float>& rows,
                              std::size_t width, std::size_t more) {
  const std::size_t count = touched.size();
  touched.resize(count + more);
  if (rows.size() < (count + more) * width) rows.resize((count + more) * width);
  return {slot_of.data(), touched.data(), rows.data(), count};
}

double accumulate(const Embeddings& model, const TrainingRows& rows, const std::uint32_t* order,
                  std::size_t first, std::size_t n, Gradients& grad) {
  kernels::SlotTable users = grad.open_user_slots(n);
  kernels::SlotTable items = grad.open_item_slots(n);
  const double mse =
      kernels::active().batch_gradient(model.view(), rows.view(), order, first, n, users, items);
  grad.close_slots(users, items);
  return mse;
}
}  // namespace

kernels::SlotTable Gradients::open_user_slots(std::size_t more) {
  return open_slots(user_slot_of_, touched_users, user_rows_, width(), more);
}

kernels::SlotTable Gradients::open_item_slots(std::size_t more) {
  return open_slots(item_slot_of_, touched_items, item_rows_, width(), more);
}

void Gradients::close_slots(const kernels::SlotTable& users, const kernels::SlotTable& items) {
  touched_users.resize(users.count);
  touched_items.resize(items.count);
}

double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad) {
  return accumulate(model, rows, batch.data(), 0, batch.size(), grad);
}

double accumulate_range_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::size_t first, std::size_t n, Gradients& grad) {
  return accumulate(model, rows, nullptr, first, n, grad);
}

}  // namespace recsys
