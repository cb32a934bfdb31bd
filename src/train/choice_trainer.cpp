#include "recsys/train/choice_trainer.hpp"

#include <Eigen/Dense>
#include <chrono>
#include <cmath>

#include "recsys/data/rated_items.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using Table = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using ConstTable =
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using Row = Eigen::Map<Eigen::VectorXf>;
using ConstRow = Eigen::Map<const Eigen::VectorXf>;

// One side of the factorisation as seen from the other: the rows being
// trained (`rows`, with their optional bias), the fixed rows they are scored
// against (`other`, with its bias), and which of those each row rated.
struct Side {
  float* rows;
  std::size_t n;
  float* bias;  // nullptr: this side has no trained bias
  const float* other;
  const float* other_bias;  // nullptr: the fixed side has no bias
  std::size_t n_other;
  const RatedItems* rated;  // rated->of(r): the fixed rows row r is paired with
};

// Adam moments for one side, laid out like its table.
struct Moments {
  std::vector<float> m, v, m_bias, v_bias;
  std::int64_t steps = 0;
  Moments(std::size_t rows, int dim, bool bias)
      : m(rows * std::size_t(dim)),
        v(rows * std::size_t(dim)),
        m_bias(bias ? rows : 0),
        v_bias(bias ? rows : 0) {}
};

// Half the gradient of the loss for the rows of one side, the other side
// fixed. The fixed side enters through its Gramian G = O'O, g = O' b_other
// and, for a trained bias, sum(O) and its row count.
class SideGradient {
 public:
  SideGradient(const Side& side, int dim, const TrainConfig& config)
      : side_(side),
        dim_(dim),
        alpha_(static_cast<float>(config.negative_weight)),
        decay_(static_cast<float>(config.weight_decay)) {
    const ConstTable other(side.other, Eigen::Index(side.n_other), dim);
    gram_ = other.transpose() * other;
    other_sum_ = other.colwise().sum();
    other_bias_sum_ = Eigen::VectorXf::Zero(dim);
    if (side.other_bias)
      other_bias_sum_ = other.transpose() * ConstRow(side.other_bias, Eigen::Index(side.n_other));
  }

  // Row r's gradient into g (dim floats); returns its bias's.
  float operator()(std::size_t r, float* out) const {
    const ConstRow p(side_.rows + r * std::size_t(dim_), dim_);
    const float b = side_.bias ? side_.bias[r] : 0.0f;
    Row g(out, dim_);
    // Every pair as a 0 of weight alpha, through the Gramian...
    g.noalias() = gram_ * p;
    g = alpha_ * (g + other_bias_sum_ + b * other_sum_) + decay_ * p;
    float gb = alpha_ * (other_sum_.dot(p) + float(side_.n_other) * b);
    // ...then each rated pair corrected to a 1 of weight 1.
    for (const std::uint32_t o : side_.rated->of(static_cast<std::uint32_t>(r))) {
      const ConstRow q(side_.other + std::size_t(o) * dim_, dim_);
      const float s = p.dot(q) + b + (side_.other_bias ? side_.other_bias[o] : 0.0f);
      const float e = (1.0f - alpha_) * s - 1.0f;
      g += e * q;
      gb += e;
    }
    return gb;
  }

 private:
  Side side_;
  int dim_;
  float alpha_, decay_;
  Eigen::MatrixXf gram_;
  Eigen::VectorXf other_sum_, other_bias_sum_;
};

Side user_side(Embeddings& m, const RatedItems& by_user) {
  return {m.user_vec.data(),  m.n_users, nullptr, m.item_vec.data(),
          m.item_bias.data(), m.n_items, &by_user};
}

Side item_side(Embeddings& m, const RatedItems& by_item) {
  return {m.item_vec.data(), m.n_items, m.item_bias.data(), m.user_vec.data(), nullptr,
          m.n_users,         &by_item};
}

// One phase: mini-batches of rows of `side`, one Adam step per batch.
void train_side(const Side& side, int dim, const TrainConfig& config, Moments& state,
                WorkerPool& pool, const TrainHooks& hooks, std::size_t& batches_done,
                std::size_t batches_total) {
  const SideGradient gradient(side, dim, config);
  AdamSettings adam;
  adam.lr = static_cast<float>(config.lr);
  const std::size_t batch = std::max<std::size_t>(1, config.batch);
  std::vector<float> grad(batch * std::size_t(dim)), grad_bias(batch);
  for (std::size_t first = 0; first < side.n; first += batch) {
    if (hooks.stop && hooks.stop->load(std::memory_order_relaxed)) return;
    const std::size_t n = std::min(batch, side.n - first);
    const Adam::Coefficients c = Adam::coefficients(adam, ++state.steps);
    pool.parallel_for(n, [&](std::size_t k, int) {
      const std::size_t r = first + k;
      grad_bias[k] = gradient(r, grad.data() + k * std::size_t(dim));
      const std::size_t at = r * std::size_t(dim);
      Adam::update(side.rows + at, state.m.data() + at, state.v.data() + at,
                   grad.data() + k * std::size_t(dim), std::size_t(dim), c);
      if (side.bias)
        Adam::update(side.bias + r, state.m_bias.data() + r, state.v_bias.data() + r,
                     grad_bias.data() + k, 1, c);
    });
    if (hooks.on_batch) hooks.on_batch(++batches_done, batches_total);
  }
}

}  // namespace

double choice_loss(const Embeddings& model, const RatedItems& rated, double negative_weight,
                   double weight_decay) {
  const int d = model.dim;
  const ConstTable users(model.user_vec.data(), model.n_users, d);
  const ConstTable items(model.item_vec.data(), model.n_items, d);
  const ConstRow bias(model.item_bias.data(), model.n_items);
  const Eigen::MatrixXd gram = (items.transpose() * items).cast<double>();
  const Eigen::VectorXd bias_sum = (items.transpose() * bias).cast<double>();
  const double bias_squares = bias.cast<double>().squaredNorm();
  double loss = 0;
  for (std::uint32_t u = 0; u < model.n_users; ++u) {
    const Eigen::VectorXd p = users.row(u).transpose().cast<double>();
    // Every pair as a 0 of weight alpha: sum over films of (p.q + b)^2.
    loss += negative_weight * (p.dot(gram * p) + 2 * p.dot(bias_sum) + bias_squares);
    for (const std::uint32_t i : rated.of(u)) {
      const double s = p.dot(items.row(i).transpose().cast<double>()) + bias[i];
      loss += (1 - s) * (1 - s) - negative_weight * s * s;
    }
  }
  loss += weight_decay * (users.cast<double>().squaredNorm() + items.cast<double>().squaredNorm());
  return loss / double(std::max<std::size_t>(rated.items.size(), 1));
}

ChoiceGradients choice_gradients(Embeddings& model, const RatedItems& by_user,
                                 const RatedItems& by_item, const TrainConfig& config) {
  const int d = model.dim;
  ChoiceGradients out;
  out.user_vec.resize(model.user_vec.size());
  out.item_vec.resize(model.item_vec.size());
  out.item_bias.resize(model.item_bias.size());
  const SideGradient users(user_side(model, by_user), d, config);
  for (std::size_t u = 0; u < model.n_users; ++u) users(u, out.user_vec.data() + u * d);
  const SideGradient items(item_side(model, by_item), d, config);
  for (std::size_t i = 0; i < model.n_items; ++i)
    out.item_bias[i] = items(i, out.item_vec.data() + i * d);
  return out;
}

TrainReport train_choice(Embeddings& model, const Ratings& train_rows, const TrainConfig& config,
                         const TrainHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int d = model.dim;
  std::fill(model.user_bias.begin(), model.user_bias.end(), 0.0f);
  std::fill(model.item_bias.begin(), model.item_bias.end(), 0.0f);
  const RatedItems by_user = RatedItems::build(model.n_users, train_rows.user, train_rows.item);
  const RatedItems by_item = RatedItems::build(model.n_items, train_rows.item, train_rows.user);
  Moments user_state(model.n_users, d, false), item_state(model.n_items, d, true);
  WorkerPool pool(std::max(1, config.threads));
  const std::size_t batch = std::max<std::size_t>(1, config.batch);
  const std::size_t batches_per_epoch =
      (model.n_users + batch - 1) / batch + (model.n_items + batch - 1) / batch;
  auto stopped = [&] { return hooks.stop && hooks.stop->load(std::memory_order_relaxed); };

  TrainReport report;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    std::size_t done = 0;
    train_side(user_side(model, by_user), d, config, user_state, pool, hooks, done,
               batches_per_epoch);
    train_side(item_side(model, by_item), d, config, item_state, pool, hooks, done,
               batches_per_epoch);
    if (stopped() && done < batches_per_epoch) {
      report.interrupted = true;
      break;
    }
    const double nan = std::nan("");
    EpochRecord record{
        epoch, choice_loss(model, by_user, config.negative_weight, config.weight_decay), nan, nan,
        nan,   std::chrono::duration<double>(Clock::now() - epoch_start).count()};
    report.history.push_back(record);
    report.best_epoch = epoch;
    if (hooks.on_epoch) hooks.on_epoch(record);
    if (stopped()) {
      report.interrupted = true;
      break;
    }
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace recsys
