#include "recsys/train/choice_trainer.hpp"

#include "choice_side.hpp"

#include <Eigen/Dense>
#include <chrono>
#include <cmath>

#include "recsys/data/rated_items.hpp"
#include "recsys/util/flush_denormals.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using ConstTable =
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using ConstRow = Eigen::Map<const Eigen::VectorXf>;

}  // namespace

using choice::item_side;
using choice::Moments;
using choice::RowTerms;
using choice::SideGradient;
using choice::squared_norm;
using choice::train_side;
using choice::user_side;

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
