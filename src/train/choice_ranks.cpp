#include "recsys/train/choice_ranks.hpp"

#include <chrono>
#include <cmath>
#include <vector>

#include "choice_side.hpp"
#include "recsys/dist/ring_sum.hpp"
#include "recsys/train/adam.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/flush_denormals.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using Clock = std::chrono::steady_clock;
using choice::Moments;
using choice::Side;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Films per task of the film phase: enough to outweigh the claim of a task.
constexpr std::size_t kFilmsPerTask = 256;

// fn(i) for every film i < n, in tasks of kFilmsPerTask films shared out by the pool.
template <typename Fn>
void for_each_film(std::size_t n, WorkerPool& pool, const Fn& fn) {
  pool.parallel_for((n + kFilmsPerTask - 1) / kFilmsPerTask, [&](std::size_t t, int) {
    for (std::size_t i = t * kFilmsPerTask; i < std::min(n, (t + 1) * kFilmsPerTask); ++i) fn(i);
  });
}

// Every film's share of its gradient from this rank's users, into shares
// (dim floats, then the bias's, per film); returns the sum of the films'
// shares of the loss, without their own decay.
double film_shares(const Side& films, int dim, const TrainConfig& config, WorkerPool& pool,
                   std::vector<float>& shares) {
  TrainConfig without_decay = config;
  without_decay.weight_decay = 0;  // the film's own term: added once, after the sum
  const choice::SideGradient share(films, dim, without_decay);
  const std::size_t stride = std::size_t(dim) + 1;
  std::vector<double> loss(films.n);
  for_each_film(films.n, pool, [&](std::size_t i) {
    const choice::RowTerms terms = share(i, shares.data() + i * stride);
    shares[i * stride + std::size_t(dim)] = terms.bias_gradient;
    loss[i] = terms.loss;
  });
  double sum = 0;
  for (const double l : loss) sum += l;  // in film order, whatever the threads
  return sum;
}

// The Adam step of every film from the summed shares, plus the film's own
// decay; returns the decay's part of the loss, taken before the step.
double step_films(Embeddings& model, std::vector<float>& gradients, Moments& state,
                  const TrainConfig& config, int epoch, WorkerPool& pool) {
  AdamSettings adam;
  adam.lr = static_cast<float>(lr_at(config, epoch));
  const Adam::Coefficients c = Adam::coefficients(adam, epoch);
  const std::size_t dim = std::size_t(model.dim), stride = dim + 1, n = model.n_items;
  const float decay = static_cast<float>(config.weight_decay);
  std::vector<double> norms(n);
  for_each_film(n, pool, [&](std::size_t i) {
    float* q = model.item_vec.data() + i * dim;
    float* g = gradients.data() + i * stride;
    double norm = 0;
    for (std::size_t e = 0; e < dim; ++e) {
      norm += double(q[e]) * q[e];
      g[e] += decay * q[e];
    }
    norms[i] = norm;
    Adam::update(q, state.m.data() + i * dim, state.v.data() + i * dim, g, dim, c);
    Adam::update(model.item_bias.data() + i, state.m_bias.data() + i, state.v_bias.data() + i,
                 g + dim, 1, c);
  });
  double sum = 0;
  for (const double x : norms) sum += x;
  return config.weight_decay * sum;
}

// What each rank adds to an epoch's figures; summed by ring_sum.
enum EpochSum { kFilmLoss, kUserNorms, kStop, kWantsUsers, kSums };

}  // namespace

TrainReport train_choice_on_ranks(Embeddings& model, const RingPlan& plan, const Ratings& rows,
                                  const TrainConfig& config, const TrainHooks& hooks,
                                  Communicator& ranks) {
  const auto start = Clock::now();
  const int me = ranks.rank();
  if (plan.groups() != ranks.size())
    throw Error("a ring plan for another number of ranks", Error::Kind::Internal);
  const int d = model.dim;
  const std::uint32_t first = plan.user_first[std::size_t(me)];
  const std::size_t n_mine = plan.user_first[std::size_t(me) + 1] - first;
  std::fill(model.user_bias.begin(), model.user_bias.end(), 0.0f);
  std::fill(model.item_bias.begin(), model.item_bias.end(), 0.0f);

  // This rank's users are numbered from 0 in its rated lists.
  std::vector<std::uint32_t> local_user(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    local_user[k] = rows.user[k] - first;
    if (local_user[k] >= n_mine)
      throw Error("a row outside the rank's user group", Error::Kind::Internal);
  }
  const RatedItems by_user = RatedItems::build(n_mine, local_user, rows.item);
  const RatedItems by_item = RatedItems::build(model.n_items, rows.item, local_user);
  std::vector<std::uint32_t>().swap(local_user);
  std::vector<double> pairs{double(rows.size())};
  ring_sum(pairs, ranks);

  Moments user_state(n_mine, d, false), item_state(model.n_items, d, true);
  const FlushDenormals flush;  // decaying moments: see flush_denormals.hpp
  WorkerPool pool(std::max(1, config.threads), flush_denormals_in_this_thread);
  const std::size_t batch = std::max<std::size_t>(1, config.batch);
  const std::size_t batches_per_epoch = (n_mine + batch - 1) / batch + 1;
  TrainHooks user_hooks;  // progress only: a stop is agreed at the epoch's end
  if (me == 0) user_hooks.on_batch = hooks.on_batch;
  std::vector<float> shares(model.n_items * (std::size_t(d) + 1));

  TrainReport report;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    float* my_users = model.user_vec.data() + std::size_t(first) * std::size_t(d);
    const Side users{my_users,      n_mine,  nullptr, model.item_vec.data(), model.item_bias.data(),
                     model.n_items, &by_user};
    std::size_t done = 0;
    choice::train_side(users, d, config, epoch, user_state, pool, user_hooks, done,
                       batches_per_epoch);
    const Side films{model.item_vec.data(),
                     model.n_items,
                     model.item_bias.data(),
                     my_users,
                     nullptr,
                     n_mine,
                     &by_item};
    std::vector<double> sums(kSums, 0.0);
    sums[kFilmLoss] = film_shares(films, d, config, pool, shares);
    for (std::size_t k = 0; k < n_mine * std::size_t(d); ++k)
      sums[kUserNorms] += double(my_users[k]) * my_users[k];
    sums[kStop] = hooks.stop && hooks.stop->load(std::memory_order_relaxed);
    sums[kWantsUsers] = me == 0 && hooks.wants_every_user && hooks.wants_every_user(epoch);
    const auto summing = Clock::now();
    report.ring.training += std::chrono::duration<double>(summing - epoch_start).count();
    ring_sum(shares, ranks);
    ring_sum(sums, ranks);
    report.ring.passing += seconds_since(summing);
    report.ring.bytes_passed += 2 * (shares.size() * sizeof(float)) *
                                std::size_t(ranks.size() - 1) / std::size_t(ranks.size());
    const auto stepping = Clock::now();
    const double film_decay = step_films(model, shares, item_state, config, epoch, pool);
    if (sums[kWantsUsers] > 0) gather_users(model, plan, ranks);
    report.ring.epoch_ends += seconds_since(stepping);
    if (me == 0 && hooks.on_batch) hooks.on_batch(batches_per_epoch, batches_per_epoch);

    const double loss = (sums[kFilmLoss] + film_decay + config.weight_decay * sums[kUserNorms]) /
                        std::max(pairs[0], 1.0);
    const double nan = std::nan("");
    const EpochRecord record{epoch, loss, nan, nan, nan, seconds_since(epoch_start)};
    report.history.push_back(record);
    report.best_epoch = epoch;
    if (me == 0 && hooks.on_epoch) hooks.on_epoch(record);
    if (sums[kStop] > 0) {
      report.interrupted = true;
      break;
    }
  }
  gather_users(model, plan, ranks);
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace recsys
