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

  TrainReport report;
  Embeddings best;
  double best_val = INFINITY;
  int epochs_without_gain = 0;
  const std::size_t n_batches = (rows.size() + settings.batch - 1) / settings.batch;
  auto stop_requested = [&] { return hooks.stop && hooks.stop->load(std::memory_order_relaxed); };
  // Sparse adam with several threads trains Hogwild style: each thread takes a
  // contiguous share of the shuffled order and updates the shared tables
  // without locks. One thread (or dense adam) is the exact sequential loop.
  const bool hogwild = settings.mode == Adam::Mode::Sparse && settings.threads > 1;
  std::vector<Gradients> thread_grads;
  if (hogwild)
    for (int k = 1; k < settings.threads; ++k) thread_grads.emplace_back(model);
  WorkerPool pool(std::max(1, settings.threads));
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    rng.shuffle(order.begin(), order.end());
    double loss_sum = 0;
    std::size_t done = 0;
    if (hogwild) {
      // Chunks of 8 batches are claimed dynamically, so a busy core slows the
      // epoch down instead of stalling it.
      constexpr std::size_t kBatchesPerChunk = 8;
      const std::size_t chunks = (n_batches + kBatchesPerChunk - 1) / kBatchesPerChunk;
      std::vector<double> losses(pool.size(), 0.0);
      std::vector<std::size_t> counts(pool.size(), 0);
      pool.parallel_for(chunks, [&](std::size_t c, int k) {
        Gradients& g = k == 0 ? grad : thread_grads[k - 1];
        const std::size_t end = std::min(n_batches, (c + 1) * kBatchesPerChunk);
        for (std::size_t b = c * kBatchesPerChunk; b < end && !stop_requested(); ++b) {
          const std::size_t first = b * settings.batch;
          const std::size_t n = std::min(settings.batch, rows.size() - first);
          losses[k] += accumulate_batch_gradient(model, rows, {order.data() + first, n}, g);
          adam.sparse_step_concurrent(model, g);
          g.clear();
          ++counts[k];
        }
        if (k == 0 && hooks.on_batch) hooks.on_batch(std::min(n_batches, end), n_batches);
      });
      for (int k = 0; k < pool.size(); ++k) {
        loss_sum += losses[k];
        done += counts[k];
      }
    } else {
      for (std::size_t first = 0; first < rows.size(); first += settings.batch) {
        const std::size_t n = std::min(settings.batch, rows.size() - first);
        loss_sum += accumulate_batch_gradient(model, rows, {order.data() + first, n}, grad);
        adam.step(model, grad, &pool);
        grad.clear();
        ++done;
        if (hooks.on_batch && (done % 256 == 0 || done == n_batches)) hooks.on_batch(done, n_batches);
        if (stop_requested()) break;
      }
    }
    if (stop_requested() && done < n_batches) {
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
    if (stop_requested()) {
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
