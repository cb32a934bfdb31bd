#include "recsys/train/adam.hpp"

#include <algorithm>
#include <cmath>

#include "row_length.hpp"

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
// The element rule, inlined into both loops below.
inline void update_one(float& p, float& m, float& v, float g, const Adam::Coefficients& c) {
  const float grad = g + c.weight_decay * p;
  m = c.beta1 * m + (1.0f - c.beta1) * grad;
  v = c.beta2 * v + (1.0f - c.beta2) * grad * grad;
  p -= c.step_size * m / (std::sqrt(v) * c.inv_sqrt_bc2 + c.eps);
}
}  // namespace

// Both hot loops are compiled twice, for AVX2 and for baseline x86-64, and
// picked at load time, so no -march=native is needed to get wide vectors.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RECSYS_VECTOR_CLONES __attribute__((target_clones("avx2,fma", "default")))
#else
#define RECSYS_VECTOR_CLONES
#endif

RECSYS_VECTOR_CLONES
void Adam::update(float* __restrict p, float* __restrict m, float* __restrict v,
                  const float* __restrict g, std::size_t n, const Coefficients& c) {
  for (std::size_t k = 0; k < n; ++k) update_one(p[k], m[k], v[k], g[k], c);
}

namespace {
// Sparse mode: every touched row of one table in one call (a call per row
// through the dispatcher cost more than the update of a 32-float row). Row
// k's gradient is slot row k of g (dim entries, then the bias); its moments
// are one run of state: [m of the dim weights, m of the bias, v of the same].
// Dim is the row length when known at compile time (fully unrolled loops for
// the common sizes), else 0 and the runtime dim is used.
template <int Dim>
RECSYS_VECTOR_CLONES void update_rows(const std::vector<std::uint32_t>& rows, std::size_t dim_arg,
                                      float* __restrict p_vec, float* __restrict p_bias,
                                      float* __restrict state, const float* __restrict g,
                                      const Adam::Coefficients& c) {
  const std::size_t dim = Dim ? std::size_t(Dim) : dim_arg;
  const std::size_t w = dim + 1;
  // The rows are scattered over tables larger than the L2 cache: fetch the
  // state and weights a few rows ahead (the batch just read the weights).
  constexpr std::size_t kAhead = 4;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (k + kAhead < rows.size()) {
      const std::size_t ahead = rows[k + kAhead];
      for (std::size_t line = 0; line < 2 * w; line += 16)
        __builtin_prefetch(state + ahead * 2 * w + line, 1);
      for (std::size_t line = 0; line < dim; line += 16)
        __builtin_prefetch(p_vec + ahead * dim + line, 1);
      __builtin_prefetch(p_bias + ahead, 1);
    }
    const std::size_t r = rows[k];
    float* m = state + r * 2 * w;
    float* v = m + w;
    const float* gk = g + k * w;
    float* p = p_vec + r * dim;
    for (std::size_t e = 0; e < dim; ++e) update_one(p[e], m[e], v[e], gk[e], c);
    update_one(p_bias[r], m[dim], v[dim], gk[dim], c);
  }
}

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
  auto part = [&](std::size_t k, int) {
    auto table = [&](std::vector<float>& p, std::vector<float>& m, std::vector<float>& v,
                     const std::vector<float>& g) {
      const auto [begin, end] = chunk(p.size(), parts, k);
      update(p.data() + begin, m.data() + begin, v.data() + begin, g.data() + begin, end - begin,
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
  with_row_length(model.dim, [&](auto n) {
    constexpr int kDim = decltype(n)::value;
    update_rows<kDim>(grad.touched_users, dim, model.user_vec.data(), model.user_bias.data(),
                      user_state_.data(), grad.user_grads(), c);
    update_rows<kDim>(grad.touched_items, dim, model.item_vec.data(), model.item_bias.data(),
                      item_state_.data(), grad.item_grads(), c);
  });
}

}  // namespace recsys
