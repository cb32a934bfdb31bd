#include "recsys/adam.hpp"

#include <algorithm>
#include <cmath>

namespace recsys {

Adam::Adam(const Embeddings& shape, AdamSettings settings, Mode mode)
    : settings_(settings),
      mode_(mode),
      m_user_vec_(shape.user_vec.size(), 0.0f),
      v_user_vec_(shape.user_vec.size(), 0.0f),
      m_item_vec_(shape.item_vec.size(), 0.0f),
      v_item_vec_(shape.item_vec.size(), 0.0f),
      m_user_bias_(shape.user_bias.size(), 0.0f),
      v_user_bias_(shape.user_bias.size(), 0.0f),
      m_item_bias_(shape.item_bias.size(), 0.0f),
      v_item_bias_(shape.item_bias.size(), 0.0f) {
  if (mode == Mode::Dense) {
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
  return Coefficients{static_cast<float>(s.lr / bc1), static_cast<float>(1.0 / std::sqrt(bc2)),
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
// through the dispatcher cost more than the update of a 32-float row). The
// gradient of rows[k] is the k-th slot row of g, `width` floats apart: the
// vector part here, the bias (at offset dim) in a second call with n = 1.
RECSYS_VECTOR_CLONES
void update_rows(const std::vector<std::uint32_t>& rows, std::size_t n, float* __restrict p,
                 float* __restrict m, float* __restrict v, const float* __restrict g,
                 std::size_t width, const Adam::Coefficients& c) {
  // The rows are scattered over tables larger than the L2 cache: fetch the
  // moments a few rows ahead (the weights were just read by the batch).
  constexpr std::size_t kAhead = 4;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (k + kAhead < rows.size())
      for (std::size_t line = 0; line < n; line += 16) {
        const std::size_t ahead = std::size_t(rows[k + kAhead]) * n + line;
        __builtin_prefetch(m + ahead, 1);
        __builtin_prefetch(v + ahead, 1);
        __builtin_prefetch(p + ahead, 1);
      }
    const std::size_t at = std::size_t(rows[k]) * n;
    const float* gk = g + k * width;
    for (std::size_t e = 0; e < n; ++e) update_one(p[at + e], m[at + e], v[at + e], gk[e], c);
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
      update(p.data() + begin, m.data() + begin, v.data() + begin, g.data() + begin, end - begin, c);
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
  const std::size_t w = grad.width();
  update_rows(grad.touched_users, dim, model.user_vec.data(), m_user_vec_.data(), v_user_vec_.data(),
              grad.user_grads(), w, c);
  update_rows(grad.touched_items, dim, model.item_vec.data(), m_item_vec_.data(), v_item_vec_.data(),
              grad.item_grads(), w, c);
  update_rows(grad.touched_users, 1, model.user_bias.data(), m_user_bias_.data(),
              v_user_bias_.data(), grad.user_grads() + dim, w, c);
  update_rows(grad.touched_items, 1, model.item_bias.data(), m_item_bias_.data(),
              v_item_bias_.data(), grad.item_grads() + dim, w, c);
}

}  // namespace recsys
