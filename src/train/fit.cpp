#include "recsys/train/fit.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>

#include "recsys/data/dataset_on_ranks.hpp"
#include "recsys/train/choice_ranks.hpp"
#include "recsys/train/choice_trainer.hpp"
#include "recsys/train/ring_trainer.hpp"
#include "recsys/train/trainer.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", bytes / double(1 << 30));
  return buf;
}

// Refuses sizes whose tables cannot fit in this machine's memory: an absurd
// --dim should be a clear error before training, not an allocation failure.
void check_memory(const TrainConfig& c, std::size_t users, std::size_t items) {
  const double rows = static_cast<double>(users) + static_cast<double>(items);
  // Weights, Adam's two moments and the best epoch's copy (the per-thread
  // gradients are batch-sized).
  const double copies = 4.0;
  const double needed = rows * (c.dim + 1) * sizeof(float) * copies;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return;
  const double available = static_cast<double>(pages) * static_cast<double>(page_size);
  if (needed > available)
    throw Error("--dim " + std::to_string(c.dim) + " needs about " + gib(needed) + " GiB for " +
                std::to_string(users) + " users and " + std::to_string(items) +
                " movies, more than this machine's " + gib(available) + " GiB; lower --dim");
}

double mean_stars(const Ratings& rows) {
  double sum = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) sum += rows.stars[k];
  return sum / static_cast<double>(std::max<std::size_t>(rows.size(), 1));
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// The model before training: settings, source, scale and initial weights.
TrainedModel initial_model(const Dataset& data, const TrainConfig& config, const SourceInfo& source,
                           double training_mean) {
  TrainedModel m;
  m.settings = config;
  if (!source.val_path.empty()) m.settings.val_fraction = 0;
  m.source = source;
  m.scaler = data.scaler;
  m.training_mean = training_mean;
  Rng rng(config.seed);
  m.tables = Embeddings::random(static_cast<std::uint32_t>(data.users.size()),
                                static_cast<std::uint32_t>(data.items.size()), config.dim,
                                config.init_std, rng, config.threads);
  return m;
}

// Everything but the weights and the history is final before training, so a
// checkpoint is a complete model file. The model's list of rated movies is
// built only at a checkpoint and at the end: during training it would be a
// second copy of the training pairs, the largest thing in memory after the
// ratings. Its per-user index of validation rows is left unbuilt: only topn
// and metrics use it, and they build it when they load the file.
void move_data_into(TrainedModel& m, Dataset& data) {
  m.users = std::move(data.users);
  m.items = std::move(data.items);
  m.stats = std::move(data.stats);
  m.titles = std::move(data.titles);
  m.genres = std::move(data.genres);
  m.validation = std::move(data.val);
}

std::vector<EpochRecord> without_timings(std::vector<EpochRecord> history) {
  for (auto& h : history) h.seconds = 0;  // the same seed must give the same bytes
  return history;
}

// --threads 0: every core, shared out between the ranks of an mpirun that
// run on this machine.
TrainConfig with_threads(const TrainConfig& requested, const Communicator* ranks = nullptr) {
  requested.check();
  TrainConfig config = requested;
  if (config.threads == 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    config.threads = std::max(1, cores / (ranks ? ranks->ranks_on_this_machine() : 1));
  }
  return config;
}

// What rank 0 of an mpirun brings to fit_loaded besides its Dataset: the
// rows of its own user group, and the totals and gathers of the load.
struct RankShare {
  Communicator& ranks;
  RankDataset& loaded;
  Ratings train, val;  // this rank's user group's
};

// Training across ranks, the same call on every rank, once rank 0 has
// said go: the objective's trainer (ring_trainer.hpp, choice_ranks.hpp)
// leaves every user on rank 0.
TrainReport train_across(Embeddings& model, const RingPlan& plan, Ratings train, const Ratings& val,
                         const Scaler& scaler, const TrainConfig& config, const TrainHooks& hooks,
                         Communicator& ranks) {
  ranks.lockstep = true;
  TrainReport report =
      config.objective == Objective::Choice
          ? train_choice_on_ranks(model, plan, train, config, hooks, ranks)
          : train_ring(model, plan, std::move(train), val, scaler, config, hooks, ranks);
  ranks.lockstep = false;
  return report;
}

// Rank 0's side: the go (the sizes and the scale), then training.
TrainReport train_on_ranks(TrainedModel& m, RankShare& share, const TrainConfig& config,
                           const TrainHooks& hooks) {
  RingStart start;
  start.n_users = m.tables.n_users;
  start.n_items = m.tables.n_items;
  start.scaler = m.scaler;
  check_exchange_sizes(share.loaded.plan, config.dim);
  share.ranks.broadcast_from_first(start.pack());
  return train_across(m.tables, share.loaded.plan, std::move(share.train), share.val, m.scaler,
                      config, hooks, share.ranks);
}

FitResult fit_loaded(Dataset data, const TrainConfig& requested, const FitHooks& hooks,
                     const SourceInfo& source, double load_seconds, RankShare* share);

}  // namespace

FitResult fit(const DatasetOptions& files, const TrainConfig& requested, const FitHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const TrainConfig config = with_threads(requested, files.load.ranks);
  DatasetOptions load_files = files;
  load_files.load.threads = config.threads;  // a large file is parsed by every training thread
  const HoldOut hold_out{config.val_fraction, config.seed, config.split};
  const auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  if (files.load.ranks && files.load.ranks->size() > 1) {
    RankDataset loaded = load_dataset_on_ranks(load_files, hold_out, *files.load.ranks);
    // Rank 0's Dataset as one process's, but for the training rows, which
    // stay with their ranks: every validation row, and the titles.
    RankShare share{*files.load.ranks, loaded, std::move(loaded.data.train),
                    std::move(loaded.data.val)};
    loaded.data.val = std::move(loaded.every_val);
    attach_titles(loaded.data, files);
    const SourceInfo source{files.ratings_path, file_size(files.ratings_path), files.val_path,
                            loaded.data.movies_path};
    return fit_loaded(std::move(loaded.data), config, hooks, source, seconds(), &share);
  }
  Dataset data = load_dataset(load_files, hold_out);
  const SourceInfo source{files.ratings_path, file_size(files.ratings_path), files.val_path,
                          data.movies_path};
  return fit_loaded(std::move(data), config, hooks, source, seconds(), nullptr);
}

std::string fit_follower(const DatasetOptions& files, const TrainConfig& requested) {
  const TrainConfig config = with_threads(requested, files.load.ranks);
  DatasetOptions load_files = files;
  load_files.load.threads = config.threads;
  Communicator& ranks = *files.load.ranks;
  RankDataset loaded =
      load_dataset_on_ranks(load_files, {config.val_fraction, config.seed, config.split}, ranks);
  const std::string said = ranks.broadcast_from_first("");
  if (!RingStart::is_packed(said)) return said;  // rank 0 stopped before training
  const RingStart start = RingStart::unpack(said);
  // The same first weights as rank 0's (initial_model), from the same seed.
  Rng rng(config.seed);
  Embeddings model = Embeddings::random(start.n_users, start.n_items, config.dim, config.init_std,
                                        rng, config.threads);
  // The plan is the one rank 0 trains with: every rank derived it from the same summed counts.
  train_across(model, loaded.plan, std::move(loaded.data.train), loaded.data.val, start.scaler,
               config, {}, ranks);
  return "";
}

FitResult fit(Dataset data, const TrainConfig& requested, const FitHooks& hooks,
              const SourceInfo& source, double load_seconds) {
  return fit_loaded(std::move(data), requested, hooks, source, load_seconds, nullptr);
}

namespace {

FitResult fit_loaded(Dataset data, const TrainConfig& requested, const FitHooks& hooks,
                     const SourceInfo& source, double load_seconds, RankShare* share) {
  const TrainConfig config = with_threads(requested);
  FitResult out;
  out.load_seconds = load_seconds;
  check_memory(config, data.users.size(), data.items.size());
  out.train_rows = share ? share->loaded.train_rows : data.train.size();
  const double training_mean =
      share ? share->loaded.train_stars / double(std::max<std::size_t>(out.train_rows, 1))
            : mean_stars(data.train);
  TrainedModel& m = out.model;
  m = initial_model(data, config, source, training_mean);
  if (hooks.on_start)
    hooks.on_start({data, m.settings, resolve_shuffle(m.settings, m.tables), out.load_seconds,
                    out.train_rows});
  move_data_into(m, data);

  // The rating objective's blocks shuffle takes the training rows over: the
  // grid keeps them as the list of rated movies the model needs, so they are
  // never held twice.
  std::optional<BlockGrid> grid;
  const bool across_ranks = share != nullptr;
  if (config.objective == Objective::Rating && !across_ranks &&
      resolve_shuffle(m.settings, m.tables) == Shuffle::Blocks)
    grid.emplace(make_block_grid(std::move(data.train), m.tables, m.settings));
  auto rated_now = [&] {
    if (share) return share->loaded.every_rated;
    return grid ? grid->rated_items() : RatedItems::build(m.users.size(), data.train);
  };

  TrainHooks train_hooks;
  train_hooks.on_batch = hooks.on_batch;
  train_hooks.stop = hooks.stop;
  std::vector<EpochRecord> history;
  train_hooks.on_epoch = [&](const EpochRecord& r) {
    if (hooks.on_epoch) hooks.on_epoch(r);
    history.push_back(r);
    if (hooks.checkpoint_every > 0 && hooks.on_checkpoint &&
        r.epoch % hooks.checkpoint_every == 0 && r.epoch < config.epochs) {
      m.history = without_timings(history);
      m.best_epoch = r.epoch;
      m.train_rated = rated_now();
      hooks.on_checkpoint(m);
    }
  };
  train_hooks.wants_every_user = [&](int epoch) {
    return hooks.checkpoint_every > 0 && hooks.on_checkpoint &&
           epoch % hooks.checkpoint_every == 0 && epoch < config.epochs;
  };
  if (across_ranks)
    out.report = train_on_ranks(m, *share, m.settings, train_hooks);
  else if (config.objective == Objective::Choice)
    out.report = train_choice(m.tables, data.train, m.settings, train_hooks);
  else if (grid)
    out.report = train(m.tables, *grid, m.validation, m.scaler, m.settings, train_hooks);
  else
    out.report = train(m.tables, data.train, m.validation, m.scaler, m.settings, train_hooks);
  m.history = without_timings(out.report.history);
  m.best_epoch = out.report.best_epoch;
  // A choice score is no rating: no accuracy in stars for it.
  if (config.objective == Objective::Rating) {
    out.validation = out.report.held_validation ? *out.report.held_validation
                                                : accuracy(m.tables, m.validation, m.scaler);
    out.baseline = constant_accuracy(m.training_mean, m.validation, m.scaler);
  } else {
    out.validation.mse = out.validation.rmse = out.validation.mae = std::nan("");
    out.baseline = out.validation;
  }
  if (share) {
    m.train_rated = std::move(share->loaded.every_rated);
  } else if (grid) {
    m.train_rated = std::move(*grid).into_rated_items();
  } else {
    // The training rows are freed as soon as each part has served: the stars
    // before the list of rated movies is built from users and items.
    data.train.stars.clear_and_free();
    m.train_rated = RatedItems::build(m.users.size(), data.train.user, data.train.item);
  }
  return out;
}

}  // namespace

}  // namespace recsys
