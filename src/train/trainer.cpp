#include "recsys/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "recsys/eval/accuracy.hpp"
#include "recsys/train/block_grid.hpp"
#include "recsys/train/early_stopping.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/flush_denormals.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

Shuffle resolve_shuffle(const TrainConfig& settings, const Embeddings& model) {
  if (settings.shuffle != Shuffle::Auto) return settings.shuffle;
  // Blocks only pay when a step's rows miss the cache, and dense adam moves
  // every row at every step whatever the order.
  const std::size_t rows = std::size_t(model.n_users) + model.n_items;
  const std::size_t bytes =
      rows * (std::size_t(model.dim) + 1) * sizeof(float) * 3;  // weights, m, v
  return settings.optimizer == Adam::Mode::Sparse && bytes > kBlocksAbove ? Shuffle::Blocks
                                                                          : Shuffle::Global;
}

namespace {

// One epoch's running totals, per thread, each thread's on its own cache
// line (they are written after every batch).
struct EpochSums {
  struct alignas(64) Totals {
    double loss = 0;  // sum of batch MSEs
    std::size_t batches = 0;
  };
  explicit EpochSums(int threads) : per_thread(std::size_t(threads)) {}
  std::vector<Totals> per_thread;
  double total_loss() const {
    double sum = 0;
    for (const auto& t : per_thread) sum += t.loss;
    return sum;
  }
  std::size_t total_batches() const {
    std::size_t sum = 0;
    for (const auto& t : per_thread) sum += t.batches;
    return sum;
  }
};

std::size_t batches_in(const BlockGrid& grid, std::size_t batch) {
  std::size_t n = 0;
  for (std::size_t b = 0; b < grid.blocks(); ++b) n += (grid.rows_in(b) + batch - 1) / batch;
  return n;
}

// The epochs, over either the rows in one global order (rows set, grid
// null) or the blocks of a grid.
TrainReport run_epochs(Embeddings& model, const TrainingRows* rows, const BlockGrid* grid,
                       const Ratings& val_rows, const Scaler& scaler, const TrainConfig& settings,
                       const TrainHooks& hooks) {
  const auto start = Clock::now();
  Rng rng(settings.seed ^ 0x5eedf00dULL);  // independent of the stream that drew the weights
  AdamSettings adam_settings;
  adam_settings.lr = static_cast<float>(settings.lr);
  adam_settings.weight_decay = static_cast<float>(settings.weight_decay);
  Adam adam(model, adam_settings, settings.optimizer);
  const FlushDenormals flush;  // decaying moments: see flush_denormals.hpp
  WorkerPool pool(std::max(1, settings.threads), flush_denormals_in_this_thread);
  std::vector<Gradients> grads(std::size_t(pool.size()), Gradients(model));
  auto stop_requested = [&] { return hooks.stop && hooks.stop->load(std::memory_order_relaxed); };

  // Global order: a permutation of row indexes; blocks: each block's rows
  // gathered into a buffer per thread.
  const bool blocks = grid != nullptr;
  std::vector<std::uint32_t> order;
  std::vector<BlockRows> buffers(blocks ? std::size_t(pool.size()) : 0);
  if (!blocks) {
    order.resize(rows->size());
    std::iota(order.begin(), order.end(), 0u);
  }
  const std::size_t n_batches = blocks ? batches_in(*grid, settings.batch)
                                       : (rows->size() + settings.batch - 1) / settings.batch;
  // Sparse adam with several threads trains Hogwild style: threads update the
  // shared tables without locks. One thread (or dense adam) is the exact
  // sequential loop.
  const bool concurrent = settings.optimizer == Adam::Mode::Sparse && pool.size() > 1;

  // The batches from `first` to `end` of span_rows, in the global order when
  // there is one, on thread k.
  auto train_span = [&](const TrainingRows& span_rows, std::size_t first, std::size_t end, int k,
                        EpochSums& sums) {
    Gradients& g = grads[std::size_t(k)];
    for (; first < end && !stop_requested(); first += settings.batch) {
      const std::size_t n = std::min<std::size_t>(settings.batch, end - first);
      sums.per_thread[std::size_t(k)].loss +=
          blocks ? accumulate_range_gradient(model, span_rows, first, n, g)
                 : accumulate_batch_gradient(model, span_rows, {order.data() + first, n}, g);
      if (concurrent)
        adam.sparse_step_concurrent(model, g);
      else
        adam.step(model, g, &pool);
      g.clear();
      ++sums.per_thread[std::size_t(k)].batches;
    }
  };

  TrainReport report;
  Embeddings best;
  Accuracy best_val;
  EarlyStopping stopping(settings.early_stopping, settings.min_delta);
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    adam.set_lr(static_cast<float>(lr_at(settings, epoch)));
    const auto epoch_start = Clock::now();
    EpochSums sums(pool.size());
    if (blocks) {
      const std::uint64_t epoch_seed = rng.next();
      BlockScheduler scheduler(*grid, rng);
      std::vector<std::size_t> last(std::size_t(pool.size()), BlockScheduler::kNone);
      auto block_job = [&](std::size_t, int k) {
        const std::size_t b = scheduler.claim(last[std::size_t(k)]);
        if (b == BlockScheduler::kNone) return;
        last[std::size_t(k)] = b;
        const TrainingRows block_rows =
            grid->gather(b, epoch_seed, buffers[std::size_t(k)], scaler);
        train_span(block_rows, 0, block_rows.size(), k, sums);
        scheduler.release(b);
        if (k == 0 && hooks.on_batch)
          hooks.on_batch(std::min(n_batches, sums.total_batches()), n_batches);
      };
      // Dense adam uses the pool inside each step, so its blocks run in turn.
      if (concurrent)
        pool.parallel_for(grid->blocks(), block_job);
      else
        for (std::size_t c = 0; c < grid->blocks() && !stop_requested(); ++c) block_job(c, 0);
    } else {
      rng.shuffle(order.begin(), order.end());
      // Chunks of batches are claimed dynamically, so a busy core slows the
      // epoch down instead of stalling it.
      const std::size_t per_chunk = (concurrent ? 8 : 256) * settings.batch;
      const std::size_t chunks = (rows->size() + per_chunk - 1) / per_chunk;
      auto chunk_job = [&](std::size_t c, int k) {
        train_span(*rows, c * per_chunk, std::min(rows->size(), (c + 1) * per_chunk), k, sums);
        if (k == 0 && hooks.on_batch)
          hooks.on_batch(std::min(n_batches, sums.total_batches()), n_batches);
      };
      if (concurrent)
        pool.parallel_for(chunks, chunk_job);
      else
        for (std::size_t c = 0; c < chunks && !stop_requested(); ++c) chunk_job(c, 0);
    }
    const std::size_t done = sums.total_batches();
    if (stop_requested() && done < n_batches) {
      report.interrupted = true;
      report.held_validation.reset();  // the weights moved on after the last pass
      break;
    }
    const Accuracy val = accuracy(model, val_rows, scaler, &pool);
    EpochRecord record{epoch,   sums.total_loss() / double(done), val.mse, val.rmse,
                       val.mae, seconds_since(epoch_start)};
    report.history.push_back(record);
    report.held_validation = val;
    if (hooks.on_epoch) hooks.on_epoch(record);

    if (settings.early_stopping > 0 && !std::isnan(val.mse)) {
      const EarlyStopping::Verdict verdict = stopping.after_epoch(val.mse);
      if (verdict.best) {
        best = model;
        best_val = val;
        report.best_epoch = epoch;
      }
      if (verdict.stop) {
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
      report.best_epoch != static_cast<int>(report.history.size())) {
    model = std::move(best);
    report.held_validation = best_val;
  }
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace

BlockGrid make_block_grid(Ratings&& rows, const Embeddings& model, const TrainConfig& settings) {
  // A user group sized for the L2 cache, an item group for a share of L3
  // (a thread keeps its item group for many blocks: see block_grid.hpp).
  const std::size_t row_bytes = (std::size_t(model.dim) + 1) * sizeof(float) * 3;
  const int minimum =
      2 * std::max(1, settings.threads);  // room for every thread to find a free block
  const int user_groups =
      settings.block_groups > 0
          ? settings.block_groups
          : BlockGrid::groups_for(model.n_users, row_bytes, kUserGroupBytes, minimum);
  const int item_groups = BlockGrid::groups_for(model.n_items, row_bytes, kItemGroupBytes, minimum);
  return BlockGrid(std::move(rows), model.n_users, model.n_items, user_groups, item_groups,
                   std::max(1, settings.threads));
}

TrainReport train(Embeddings& model, BlockGrid& grid, const Ratings& val_rows, const Scaler& scaler,
                  const TrainConfig& settings, const TrainHooks& hooks) {
  return run_epochs(model, nullptr, &grid, val_rows, scaler, settings, hooks);
}

TrainReport train(Embeddings& model, Ratings& train_rows, const Ratings& val_rows,
                  const Scaler& scaler, const TrainConfig& settings, const TrainHooks& hooks) {
  if (resolve_shuffle(settings, model) == Shuffle::Blocks) {
    BlockGrid grid = make_block_grid(std::move(train_rows), model, settings);
    const TrainReport report = train(model, grid, val_rows, scaler, settings, hooks);
    train_rows = std::move(grid).into_ratings();
    return report;
  }
  const TrainingRows rows = TrainingRows::of(train_rows, scaler);
  return run_epochs(model, &rows, nullptr, val_rows, scaler, settings, hooks);
}

}  // namespace recsys
