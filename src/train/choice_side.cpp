#include "choice_side.hpp"

#include <algorithm>

#include "recsys/train/adam.hpp"

namespace recsys::choice {
namespace {

using Table = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using ConstTable =
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using Row = Eigen::Map<Eigen::VectorXf>;
using ConstRow = Eigen::Map<const Eigen::VectorXf>;

// The rows of the fixed side are gathered in the order a row's rated list
// names them: fetching a few ahead hides most of the cache misses.
constexpr std::size_t kPrefetchAhead = 6;

inline void prefetch_row(const float* row, int dim) {
  for (int e = 0; e < dim; e += 16) __builtin_prefetch(row + e);
  __builtin_prefetch(row + dim - 1);
}

}  // namespace

SideGradient::SideGradient(const Side& side, int dim, const TrainConfig& config)
    : side_(side),
      dim_(dim),
      alpha_(static_cast<float>(config.negative_weight)),
      decay_(static_cast<float>(config.weight_decay)) {
  const ConstTable other(side.other, Eigen::Index(side.n_other), dim);
  gram_ = other.transpose() * other;
  other_sum_ = other.colwise().sum();
  other_bias_sum_ = Eigen::VectorXf::Zero(dim);
  if (side.other_bias) {
    const ConstRow c(side.other_bias, Eigen::Index(side.n_other));
    other_bias_sum_ = other.transpose() * c;
    bias_total_ = c.cast<double>().sum();
    bias_squares_ = c.cast<double>().squaredNorm();
  }
}

RowTerms SideGradient::operator()(std::size_t r, float* out) const {
  const ConstRow p(side_.rows + r * std::size_t(dim_), dim_);
  const float b = side_.bias ? side_.bias[r] : 0.0f;
  const auto rated = side_.rated->of(static_cast<std::uint32_t>(r));
  const float* other = side_.other;
  const std::size_t stride = std::size_t(dim_);
  for (std::size_t j = 0; j < std::min(kPrefetchAhead, rated.size()); ++j)
    prefetch_row(other + rated[j] * stride, dim_);
  Row g(out, dim_);
  // Every pair as a 0 of weight alpha, through the Gramian...
  g.noalias() = gram_ * p;
  const double n = double(side_.n_other);
  double loss = alpha_ * (double(p.dot(g)) + 2.0 * p.dot(other_bias_sum_ + b * other_sum_) +
                          n * b * b + 2.0 * b * bias_total_ + bias_squares_) +
                decay_ * double(p.squaredNorm());
  g = alpha_ * (g + other_bias_sum_ + b * other_sum_) + decay_ * p;
  float gb = alpha_ * (other_sum_.dot(p) + float(n) * b);
  // ...then each rated pair corrected to a 1 of weight 1.
  for (std::size_t j = 0; j < rated.size(); ++j) {
    if (j + kPrefetchAhead < rated.size())
      prefetch_row(other + rated[j + kPrefetchAhead] * stride, dim_);
    const std::uint32_t o = rated[j];
    const ConstRow q(other + o * stride, dim_);
    const float s = p.dot(q) + b + (side_.other_bias ? side_.other_bias[o] : 0.0f);
    const float e = (1.0f - alpha_) * s - 1.0f;
    g += e * q;
    gb += e;
    loss += double(1.0f - s) * (1.0f - s) - alpha_ * double(s) * s;
  }
  return {gb, loss};
}

Side user_side(Embeddings& m, const RatedItems& by_user) {
  return {m.user_vec.data(),  m.n_users, nullptr, m.item_vec.data(),
          m.item_bias.data(), m.n_items, &by_user};
}

Side item_side(Embeddings& m, const RatedItems& by_item) {
  return {m.item_vec.data(), m.n_items, m.item_bias.data(), m.user_vec.data(), nullptr,
          m.n_users,         &by_item};
}

double train_side(const Side& side, int dim, const TrainConfig& config, int epoch, Moments& state,
                  WorkerPool& pool, const TrainHooks& hooks, std::size_t& batches_done,
                  std::size_t batches_total) {
  const SideGradient gradient(side, dim, config);
  AdamSettings adam;
  adam.lr = static_cast<float>(lr_at(config, epoch));
  const std::size_t batch = std::max<std::size_t>(1, config.batch);
  std::vector<float> grad(batch * std::size_t(dim)), grad_bias(batch);
  std::vector<double> row_loss(batch);
  const Adam::Coefficients c = Adam::coefficients(adam, epoch);
  double loss = 0;
  for (std::size_t first = 0; first < side.n; first += batch) {
    if (hooks.stop && hooks.stop->load(std::memory_order_relaxed)) return loss;
    const std::size_t n = std::min(batch, side.n - first);
    pool.parallel_for(n, [&](std::size_t k, int) {
      const std::size_t r = first + k;
      const RowTerms terms = gradient(r, grad.data() + k * std::size_t(dim));
      grad_bias[k] = terms.bias_gradient;
      row_loss[k] = terms.loss;
      const std::size_t at = r * std::size_t(dim);
      Adam::update(side.rows + at, state.m.data() + at, state.v.data() + at,
                   grad.data() + k * std::size_t(dim), std::size_t(dim), c);
      if (side.bias)
        Adam::update(side.bias + r, state.m_bias.data() + r, state.v_bias.data() + r,
                     grad_bias.data() + k, 1, c);
    });
    for (std::size_t k = 0; k < n; ++k) loss += row_loss[k];
    if (hooks.on_batch) hooks.on_batch(++batches_done, batches_total);
  }
  return loss;
}

double squared_norm(const std::vector<float>& table) {
  return ConstRow(table.data(), Eigen::Index(table.size())).cast<double>().squaredNorm();
}

}  // namespace recsys::choice
