#include "recsys/train/adam.hpp"

#include <algorithm>
#include <cmath>

namespace recsys {

Adam::Adam(const Embeddings& shape, AdamSettings settings, Mode mode)
    : settings_(settings), mode_(mode) {
  if (mode == Mode::Sparse) {
    const std::size_t row = 2 * (std::size_t(shape.dim) + 1);
    user_state_.assign(std::size_t(shape.n_users) * row, 0.0f);
    item_state_.assign(std::size_t(shape.n_items) * row, 0.0f);
  } else {
    for (auto* m : {&m_user_vec_, &v_user_vec_}) m->assign(shape.user_vec.size(), 0.0f);
    for (auto* m : {&m_item_vec_, &v_item_vec_}) m->assign(shape.item_vec.size(), 0.0f);
    for (auto* m : {&m_user_bias_, &v_user_bias_}) m->assign(shape.user_bias.size(), 0.0f);
    for (auto* m : {&m_item_bias_, &v_item_bias_}) m->assign(shape.item_bias.size(), 0.0f);
    dense_.dim = shape.dim;
    dense_.user_vec.assign(shape.user_vec.size(), 0.0f);
    dense_.item_vec.assign(shape.item_vec.size(), 0.0f);
    dense_.user_bias.assign(shape.user_bias.size(), 0.0f);
    dense_.item_bias.assign(shape.item_bias.size(), 0.0f);
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
// Dense mode's gradient tables, filled from the batch's slot rows.
void scatter(const std::vector<std::uint32_t>& rows, const float* g, std::size_t width,
             std::vector<float>& vec, std::vector<float>& bias) {
  const std::size_t dim = width - 1;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    std::copy_n(g + k * width, dim, vec.begin() + std::ptrdiff_t(rows[k] * dim));
    bias[rows[k]] = g[k * width + dim];
  }
}

void unscatter(const std::vector<std::uint32_t>& rows, std::size_t dim, std::vector<float>& vec,
               std::vector<float>& bias) {
  for (const auto r : rows) {
    std::fill_n(vec.begin() + std::ptrdiff_t(r * dim), dim, 0.0f);
    bias[r] = 0.0f;
  }
}
}  // namespace

void Adam::step(Embeddings& model, const Gradients& grad, WorkerPool* pool) {
  const Coefficients c = coefficients(settings_, ++steps_);
  if (mode_ == Mode::Sparse) {
    sparse_update(model, grad, c);
    return;
  }
  // Dense mode moves every row, so it needs the gradient of every row: the
  // batch's slot rows are copied into zeroed tables, and zeroed again after.
  const std::size_t dim = std::size_t(model.dim);
  scatter(grad.touched_users, grad.user_grads(), grad.width(), dense_.user_vec, dense_.user_bias);
  scatter(grad.touched_items, grad.item_grads(), grad.width(), dense_.item_vec, dense_.item_bias);
  // Each chunk is the same slice of all four tables; the split does not
  // change any element's arithmetic, so results do not depend on threads.
  const std::size_t parts = pool && pool->size() > 1 ? 8 : 1;
  const kernels::KernelSet& set = kernels::active();
  auto part = [&](std::size_t k, int) {
    auto table = [&](std::vector<float>& p, std::vector<float>& m, std::vector<float>& v,
                     const std::vector<float>& g) {
      const auto [begin, end] = chunk(p.size(), parts, k);
      set.adam(p.data() + begin, m.data() + begin, v.data() + begin, g.data() + begin, end - begin,
               c);
    };
    table(model.user_vec, m_user_vec_, v_user_vec_, dense_.user_vec);
    table(model.item_vec, m_item_vec_, v_item_vec_, dense_.item_vec);
    table(model.user_bias, m_user_bias_, v_user_bias_, dense_.user_bias);
    table(model.item_bias, m_item_bias_, v_item_bias_, dense_.item_bias);
  };
  if (parts > 1)
    pool->parallel_for(parts, part);
  else
    part(0, 0);
  unscatter(grad.touched_users, dim, dense_.user_vec, dense_.user_bias);
  unscatter(grad.touched_items, dim, dense_.item_vec, dense_.item_bias);
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
