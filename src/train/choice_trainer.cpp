#include "recsys/train/choice_trainer.hpp"

#include <Eigen/Dense>
#include <chrono>
#include <cmath>

#include "recsys/data/rated_items.hpp"
#include "recsys/util/flush_denormals.hpp"
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
  Moments(std::size_t rows, int dim, bool bias)
      : m(rows * std::size_t(dim)),
        v(rows * std::size_t(dim)),
        m_bias(bias ? rows : 0),
        v_bias(bias ? rows : 0) {}
};

// The rows of the fixed side are gathered in the order a row's rated list
// names them: fetching a few ahead hides most of the cache misses.
constexpr std::size_t kPrefetchAhead = 6;

inline void prefetch_row(const float* row, int dim) {
  for (int e = 0; e < dim; e += 16) __builtin_prefetch(row + e);
  __builtin_prefetch(row + dim - 1);
}

// What SideGradient gives for one row besides its vector's gradient.
struct RowTerms {
  float bias_gradient;
  double loss;  // the row's share of the loss: its pairs and its own decay
};

// Half the gradient of the loss for the rows of one side, the other side
// fixed, and each row's share of the loss at the same point. The fixed side
// enters through its Gramian G = O'O, g = O' b_other, sum(O), and the sum and
// the sum of squares of its biases.
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
    if (side.other_bias) {
      const ConstRow c(side.other_bias, Eigen::Index(side.n_other));
      other_bias_sum_ = other.transpose() * c;
      bias_total_ = c.cast<double>().sum();
      bias_squares_ = c.cast<double>().squaredNorm();
    }
  }

  // Row r's gradient into out (dim floats), its bias's and its loss.
  RowTerms operator()(std::size_t r, float* out) const {
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

 private:
  Side side_;
  int dim_;
  float alpha_, decay_;
  Eigen::MatrixXf gram_;
  Eigen::VectorXf other_sum_, other_bias_sum_;
  double bias_total_ = 0, bias_squares_ = 0;
};

Side user_side(Embeddings& m, const RatedItems& by_user) {
  return {m.user_vec.data(),  m.n_users, nullptr, m.item_vec.data(),
          m.item_bias.data(), m.n_items, &by_user};
}

Side item_side(Embeddings& m, const RatedItems& by_item) {
  return {m.item_vec.data(), m.n_items, m.item_bias.data(), m.user_vec.data(), nullptr,
          m.n_users,         &by_item};
}

// One phase: mini-batches of rows of `side`, one Adam step per batch. Each
// row takes one step per epoch, so the epoch is its step count for Adam's
// bias correction (a count of batches would undercorrect v by ~1/epoch).
// Returns the sum of the rows' shares of the loss, each taken just before
// its row's step (summed in row order, so any thread count gives the same).
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
  const double pairs = double(std::max<std::size_t>(by_user.items.size(), 1));
  const double decay = config.weight_decay;
  const SideGradient users(user_side(model, by_user), d, config);
  double user_terms = 0;
  for (std::size_t u = 0; u < model.n_users; ++u)
    user_terms += users(u, out.user_vec.data() + u * d).loss;
  out.loss_by_users = (user_terms + decay * squared_norm(model.item_vec)) / pairs;
  const SideGradient items(item_side(model, by_item), d, config);
  double item_terms = 0;
  for (std::size_t i = 0; i < model.n_items; ++i) {
    const RowTerms terms = items(i, out.item_vec.data() + i * d);
    out.item_bias[i] = terms.bias_gradient;
    item_terms += terms.loss;
  }
  out.loss_by_items = (item_terms + decay * squared_norm(model.user_vec)) / pairs;
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
  const FlushDenormals flush;  // decaying moments: see flush_denormals.hpp
  WorkerPool pool(std::max(1, config.threads), flush_denormals_in_this_thread);
  const std::size_t batch = std::max<std::size_t>(1, config.batch);
  const std::size_t batches_per_epoch =
      (model.n_users + batch - 1) / batch + (model.n_items + batch - 1) / batch;
  const double pairs = double(std::max<std::size_t>(by_user.items.size(), 1));
  auto stopped = [&] { return hooks.stop && hooks.stop->load(std::memory_order_relaxed); };

  TrainReport report;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    std::size_t done = 0;
    train_side(user_side(model, by_user), d, config, epoch, user_state, pool, hooks, done,
               batches_per_epoch);
    // The film phase sees the users fixed, so its rows' shares add up to the
    // loss of the model between the two phases: no extra pass is needed.
    const double film_terms = train_side(item_side(model, by_item), d, config, epoch, item_state,
                                         pool, hooks, done, batches_per_epoch);
    if (stopped() && done < batches_per_epoch) {
      report.interrupted = true;
      break;
    }
    const double nan = std::nan("");
    const double loss = (film_terms + config.weight_decay * squared_norm(model.user_vec)) / pairs;
    EpochRecord record{epoch, loss,
                       nan,   nan,
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
