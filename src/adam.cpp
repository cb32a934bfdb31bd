#include "recsys/adam.hpp"

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
      v_item_bias_(shape.item_bias.size(), 0.0f) {}

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
// through the dispatcher cost more than the update of a 32-float row).
RECSYS_VECTOR_CLONES
void update_rows(const std::vector<std::uint32_t>& rows, int width, float* __restrict p,
                 float* __restrict m, float* __restrict v, const float* __restrict g,
                 const Adam::Coefficients& c) {
  const auto w = static_cast<std::size_t>(width);
  for (const std::uint32_t r : rows) {
    const std::size_t at = std::size_t(r) * w;
    for (std::size_t k = 0; k < w; ++k) update_one(p[at + k], m[at + k], v[at + k], g[at + k], c);
  }
}
}  // namespace

void Adam::step(Embeddings& model, const Gradients& grad, WorkerPool* pool) {
  const Coefficients c = coefficients(settings_, ++steps_);
  if (mode_ == Mode::Dense) {
    // Each chunk is the same slice of all four tables; the split does not
    // change any element's arithmetic, so results do not depend on threads.
    const std::size_t parts = pool && pool->size() > 1 ? 8 : 1;
    auto part = [&](std::size_t k, int) {
      auto table = [&](std::vector<float>& p, std::vector<float>& m, std::vector<float>& v,
                       const std::vector<float>& g) {
        const auto [begin, end] = chunk(p.size(), parts, k);
        update(p.data() + begin, m.data() + begin, v.data() + begin, g.data() + begin, end - begin, c);
      };
      table(model.user_vec, m_user_vec_, v_user_vec_, grad.user_vec);
      table(model.item_vec, m_item_vec_, v_item_vec_, grad.item_vec);
      table(model.user_bias, m_user_bias_, v_user_bias_, grad.user_bias);
      table(model.item_bias, m_item_bias_, v_item_bias_, grad.item_bias);
    };
    if (parts > 1)
      pool->parallel_for(parts, part);
    else
      part(0, 0);
    return;
  }
  sparse_update(model, grad, c);
}

void Adam::sparse_step_concurrent(Embeddings& model, const Gradients& grad) {
  sparse_update(model, grad, coefficients(settings_, ++steps_));
}

void Adam::sparse_update(Embeddings& model, const Gradients& grad, const Coefficients& c) {
  update_rows(grad.touched_users, model.dim, model.user_vec.data(), m_user_vec_.data(),
              v_user_vec_.data(), grad.user_vec.data(), c);
  update_rows(grad.touched_items, model.dim, model.item_vec.data(), m_item_vec_.data(),
              v_item_vec_.data(), grad.item_vec.data(), c);
  update_rows(grad.touched_users, 1, model.user_bias.data(), m_user_bias_.data(),
              v_user_bias_.data(), grad.user_bias.data(), c);
  update_rows(grad.touched_items, 1, model.item_bias.data(), m_item_bias_.data(),
              v_item_bias_.data(), grad.item_bias.data(), c);
}

}  // namespace recsys
