#include "recsys/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "recsys/accuracy.hpp"
#include "recsys/error.hpp"
#include "recsys/rng.hpp"

namespace recsys {
namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

TrainReport train(Embeddings& model, const Ratings& train_rows, const Ratings& val_rows,
                  const Scaler& scaler, const TrainSettings& settings, const TrainHooks& hooks) {
  if (settings.batch == 0) throw Error("--batch must be at least 1");
  const auto start = Clock::now();
  std::vector<float> target(train_rows.size());
  for (std::size_t k = 0; k < target.size(); ++k) target[k] = scaler.to_unit(train_rows.stars[k]);
  const TrainingRows rows{train_rows.user, train_rows.item, target};

  std::vector<std::uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(settings.seed ^ 0x5eedf00dULL);  // independent of the stream that drew the weights
  Gradients grad(model);
  Adam adam(model, settings.adam, settings.mode);
  // Only the dense update is big enough per step to pay for a handover.
  WorkerPool pool(settings.mode == Adam::Mode::Dense ? std::max(1, settings.threads) : 1);

  TrainReport report;
  Embeddings best;
  double best_val = INFINITY;
  int epochs_without_gain = 0;
  const std::size_t n_batches = (rows.size() + settings.batch - 1) / settings.batch;
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    rng.shuffle(order.begin(), order.end());
    double loss_sum = 0;
    std::size_t done = 0;
    for (std::size_t first = 0; first < rows.size(); first += settings.batch) {
      const std::size_t n = std::min(settings.batch, rows.size() - first);
      loss_sum += accumulate_batch_gradient(model, rows, {order.data() + first, n}, grad);
      adam.step(model, grad, &pool);
      grad.clear();
      ++done;
      if (hooks.on_batch && (done % 256 == 0 || done == n_batches)) hooks.on_batch(done, n_batches);
      if (hooks.stop && hooks.stop->load(std::memory_order_relaxed)) break;
    }
    if (hooks.stop && hooks.stop->load(std::memory_order_relaxed) && done < n_batches) {
      report.interrupted = true;
      break;
    }
    const Accuracy val = accuracy(model, val_rows, scaler);
    EpochRecord record{epoch, loss_sum / double(done), val.mse, val.rmse, val.mae,
                       seconds_since(epoch_start)};
    report.history.push_back(record);
    if (hooks.on_epoch) hooks.on_epoch(record);

    if (settings.early_stopping > 0 && !std::isnan(val.mse)) {
      if (val.mse < best_val) {
        best_val = val.mse;
        best = model;
        report.best_epoch = epoch;
        epochs_without_gain = 0;
      } else if (++epochs_without_gain >= settings.early_stopping) {
        report.stopped_early = true;
        break;
      }
    } else {
      report.best_epoch = epoch;
    }
    if (hooks.stop && hooks.stop->load(std::memory_order_relaxed)) {
      report.interrupted = true;
      break;
    }
  }
  if (settings.early_stopping > 0 && report.best_epoch > 0 &&
      report.best_epoch != static_cast<int>(report.history.size()))
    model = std::move(best);
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace recsys
