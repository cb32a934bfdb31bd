#include "recsys/train/adam.hpp"

#include <algorithm>
#include <cmath>

namespace recsys {

namespace {
// Plain pages, not huge ones: the moments are written whole once here, and a
// first touch of fresh 2 MiB pages is slow on some virtual machines, while
// the steps run no faster on them (docs/performance.md, Memory).
void zeroed(std::vector<float>& v, std::size_t n) { v.assign(n, 0.0f); }
}  // namespace

Adam::Adam(const Embeddings& shape, AdamSettings settings, Mode mode)
    : settings_(settings), mode_(mode) {
  if (mode == Mode::Sparse) {
    const std::size_t row = 2 * (std::size_t(shape.dim) + 1);
    zeroed(user_state_, std::size_t(shape.n_users) * row);
    zeroed(item_state_, std::size_t(shape.n_items) * row);
  } else {
    for (auto* m : {&m_user_vec_, &v_user_vec_}) zeroed(*m, shape.user_vec.size());
    for (auto* m : {&m_item_vec_, &v_item_vec_}) zeroed(*m, shape.item_vec.size());
    for (auto* m : {&m_user_bias_, &v_user_bias_}) zeroed(*m, shape.user_bias.size());
    for (auto* m : {&m_item_bias_, &v_item_bias_}) zeroed(*m, shape.item_bias.size());
  }
}

Adam::Coefficients Adam::coefficients(const AdamSettings& s, std::int64_t t) {
  // Bias corrections in double, as PyTorch computes them in Python floats.
  const double bc1 = 1.0 - std::pow(double(s.beta1), double(t));
  const double bc2 = 1.0 - std::pow(double(s.beta2), double(t));
  return Coefficients{static_cast<float>(s.lr / bc1),
                      static_cast<float>(1.0 / std::sqrt(bc2)),
                      s.beta1,
                      s.beta2,
                      s.eps,
                      s.weight_decay};
}

namespace {
// Below this many parameters a dense step runs on one thread: waking the
// other threads would cost more than their share of the step. Above it each
// thread steps the same rows at every step (WorkerPool::run_pinned), so its
// part of the moments stays in its own core's cache.
constexpr std::size_t kDenseParallelAbove = std::size_t(1) << 14;

// (row, slot) pairs of a table's touched rows, sorted by row, into rows/slots
// (sorted as one 64-bit key each: no indirection in the comparisons).
kernels::TouchedRows sorted_touched(const std::vector<std::uint32_t>& touched, const float* g,
                                    std::vector<std::uint64_t>& keys,
                                    std::vector<std::uint32_t>& rows,
                                    std::vector<std::uint32_t>& slots) {
  keys.resize(touched.size());
  for (std::size_t k = 0; k < touched.size(); ++k) keys[k] = std::uint64_t(touched[k]) << 32 | k;
  std::sort(keys.begin(), keys.end());
  rows.resize(keys.size());
  slots.resize(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    rows[k] = static_cast<std::uint32_t>(keys[k] >> 32);
    slots[k] = static_cast<std::uint32_t>(keys[k]);
  }
  return {rows.data(), slots.data(), rows.size(), g};
}
}  // namespace

void Adam::step(Embeddings& model, const Gradients& grad, WorkerPool* pool) {
  const Coefficients c = coefficients(settings_, ++steps_);
  if (mode_ == Mode::Sparse) {
    sparse_update(model, grad, c);
    return;
  }
  // Dense mode moves every row: a touched row with its slot's gradient, any
  // other with a zero gradient, as PyTorch's dense embedding gradients do.
  const std::size_t dim = std::size_t(model.dim);
  const kernels::TouchedRows touched_users =
      sorted_touched(grad.touched_users, grad.user_grads(), keys_, user_rows_, user_slots_);
  const kernels::TouchedRows touched_items =
      sorted_touched(grad.touched_items, grad.item_grads(), keys_, item_rows_, item_slots_);
  const kernels::DenseTable user_table{dim,
                                       model.user_vec.data(),
                                       m_user_vec_.data(),
                                       v_user_vec_.data(),
                                       model.user_bias.data(),
                                       m_user_bias_.data(),
                                       v_user_bias_.data()};
  const kernels::DenseTable item_table{dim,
                                       model.item_vec.data(),
                                       m_item_vec_.data(),
                                       v_item_vec_.data(),
                                       model.item_bias.data(),
                                       m_item_bias_.data(),
                                       v_item_bias_.data()};
  const std::size_t parameters = (std::size_t(model.n_users) + model.n_items) * (dim + 1);
  const std::size_t parts =
      pool && pool->size() > 1 && parameters > kDenseParallelAbove ? pool->size() : 1;
  const kernels::KernelSet& set = kernels::active();
  // Each part is the same share of the rows of both tables; the split does
  // not change any element's arithmetic, so results do not depend on threads.
  auto part = [&](std::size_t k, int) {
    const auto [user_first, user_end] = chunk(model.n_users, parts, k);
    set.adam_dense(user_table, user_first, user_end, touched_users, c);
    const auto [item_first, item_end] = chunk(model.n_items, parts, k);
    set.adam_dense(item_table, item_first, item_end, touched_items, c);
  };
  if (parts > 1)
    pool->run_pinned([&](int k) { part(std::size_t(k), k); });
  else
    part(0, 0);
}

void Adam::sparse_step_concurrent(Embeddings& model, const Gradients& grad) {
  sparse_update(model, grad, coefficients(settings_, ++steps_));
}

void Adam::sparse_update(Embeddings& model, const Gradients& grad, const Coefficients& c) {
  const auto dim = std::size_t(model.dim);
  const kernels::KernelSet& set = kernels::active();
  set.adam_rows(grad.touched_users.data(), grad.touched_users.size(), dim, model.user_vec.data(),
                model.user_bias.data(), user_state_.data(), grad.user_grads(), c);
  set.adam_rows(grad.touched_items.data(), grad.touched_items.size(), dim, model.item_vec.data(),
                model.item_bias.data(), item_state_.data(), grad.item_grads(), c);
}

}  // namespace recsys
