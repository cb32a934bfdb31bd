// recsys train RATINGS.csv: parse the options, call fit(), log, save, print.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>

#include "commands.hpp"
#include "input_options.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/io/atomic_file.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/train/fit.hpp"
#include "recsys/train/ring_trainer.hpp"
#include "recsys/util/error.hpp"
#include "setting_options.hpp"
#include "stop_signals.hpp"
#include "train_progress.hpp"

namespace recsys::cli {
namespace {

struct TrainOptions {
  std::string ratings, val, movies, model = "recsys.model";
  InputOptions input;
  std::string rating_range;
  SettingTexts settings;  // by key, as typed
  int checkpoint_every = 0;
  std::string format = "table";
  bool quiet = false;
};

TrainConfig resolve(const CLI::App& cmd, const TrainOptions& o) {
  TrainConfig config = resolve_settings(cmd, o.settings);
  if (o.checkpoint_every < 0) throw Error("--checkpoint-every must be 0 (off) or more epochs");
  return config;
}

void log_start(const FitStart& s, const TrainOptions& o) {
  const Dataset& d = s.data;
  const std::string rows = o.val.empty() ? with_commas(d.ratings_file_rows) + " ratings"
                                         : with_commas(d.ratings_file_rows) + " ratings, " + o.val +
                                               ": " + with_commas(d.val_file_rows) + " ratings";
  spdlog::info("{}: {}, {} users, {} movies, stars {}..{}; loaded in {:.2f} s", o.ratings, rows,
               with_commas(d.users.size()), with_commas(d.items.size()), d.scaler.min, d.scaler.max,
               s.load_seconds);
  const TrainConfig& c = s.config;
  const std::string share = fixed(c.val_fraction * 100, 1) + "%";
  const std::string holdout =
      c.split == Split::UserTime ? "user-time split: each user's latest " + share + " by timestamp"
      : c.split == Split::Time ? "time split: the latest " + share + " of all ratings by timestamp"
                               : "random " + share + " holdout, seed " + std::to_string(c.seed);
  spdlog::info("training rows {}, validation rows {}{}", with_commas(s.train_rows),
               with_commas(d.val.size()), o.val.empty() ? " (" + holdout + ")" : " from " + o.val);
  if (d.cold_val_rows > 0)
    spdlog::info(
        "{} validation rows have a user or movie with no training row; they are scored "
        "with that row's initial weights",
        with_commas(d.cold_val_rows));
  if (d.untitled_items > 0 && !d.movies_path.empty())
    spdlog::warn("{}: {} movies have no title there; they are shown by id", d.movies_path,
                 with_commas(d.untitled_items));
  const std::string lr = fmt::format(
      "{}{}", c.lr,
      c.lr_schedule == LrSchedule::Constant ? "" : " (" + lr_schedule_name(c.lr_schedule) + ")");
  if (c.objective == Objective::Choice) {
    spdlog::info(
        "training: preset {}, objective choice, negative weight {}, dim {}, {} epochs (each a "
        "pass over users, then over movies), batch {} rows, lr {}, weight decay {}, init std {}, "
        "{} thread{}, {} kernels",
        c.preset, c.negative_weight, c.dim, c.epochs, c.batch, lr, c.weight_decay, c.init_std,
        c.threads, c.threads == 1 ? "" : "s", kernels::active().name);
    return;
  }
  spdlog::info(
      "training: preset {}, dim {}, {} epochs, batch {}, lr {}, weight decay {}, init std {}, "
      "{}, early stopping {}, {} shuffle, {} thread{}, {} kernels",
      c.preset, c.dim, c.epochs, c.batch, lr, c.weight_decay, c.init_std,
      optimizer_name(c.optimizer), early_stopping_text(c), shuffle_name(s.shuffle), c.threads,
      c.threads == 1 ? "" : "s", kernels::active().name);
}

std::string epoch_line(const EpochRecord& r, int epochs, Objective objective) {
  if (objective == Objective::Choice)
    return "epoch " + std::to_string(r.epoch) + "/" + std::to_string(epochs) + "  loss " +
           fixed(r.train_mse, 4) + " per rated pair  " + fixed(r.seconds, 2) + " s";
  return "epoch " + std::to_string(r.epoch) + "/" + std::to_string(epochs) + "  train MSE " +
         fixed(r.train_mse, 4) + "  val MSE " + fixed(r.val_mse, 4) + "  val RMSE " +
         fixed(r.val_rmse, 4) + "  MAE " + fixed(r.val_mae, 4) + " stars  " + fixed(r.seconds, 2) +
         " s";
}

// A choice model has no figure in stars, so its validation figure is how
// well it ranks the held-out films, as `recsys metrics` computes it (top 10,
// rated films left out, held-out ratings >= 4 relevant), beside the
// most-popular chart's. Empty figures without validation rows or without a
// relevant one.
struct ValidationRanking {
  bool computed = false;
  RankingMetrics model, popularity;
  double seconds = 0;
};

ValidationRanking rank_validation(const FitResult& f, int threads) {
  ValidationRanking v;
  if (f.model.predicts_stars() || f.model.validation.size() == 0) return v;
  const auto start = std::chrono::steady_clock::now();
  MetricsOptions o;
  o.accuracy = false;
  o.beyond = false;
  o.threads = threads;
  const MetricsReport r = evaluate(f.model, f.model.validation, o);
  v.computed = r.ranking.users > 0;  // else no held-out rating is relevant: no figure
  v.model = r.ranking;
  v.popularity = r.popularity.ranking;
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return v;
}

void write_json(const FitResult& f, const ValidationRanking& ranked, double total_s, int ranks) {
  const TrainedModel& m = f.model;
  const TrainReport& report = f.report;
  JsonWriter j;
  j.begin_object();
  j.field("ranks", ranks);
  j.field("val_rmse", f.validation.rmse)
      .field("val_mae", f.validation.mae)
      .field("val_mse", f.validation.mse);
  j.field("baseline_rmse", f.baseline.rmse);
  const double nan = RankingMetrics::kNaN;
  j.field("val_ndcg_at_10", ranked.computed ? ranked.model.ndcg : nan)
      .field("val_hit_rate_at_10", ranked.computed ? ranked.model.hit_rate : nan)
      .field("popularity_val_ndcg_at_10", ranked.computed ? ranked.popularity.ndcg : nan);
  j.field("best_epoch", m.best_epoch).field("epochs_run", static_cast<int>(report.history.size()));
  j.field("stopped_early", report.stopped_early).field("interrupted", report.interrupted);
  j.field("seconds", total_s)
      .field("load_seconds", f.load_seconds)
      .field("train_seconds", report.seconds)
      .field("kernels", std::string(kernels::active().name));
  if (report.ring.training > 0) {
    // Rank 0's totals over the epochs (trainer.hpp, RingTimes).
    j.key("ring").begin_object();
    j.field("training_seconds", report.ring.training)
        .field("passing_seconds", report.ring.passing)
        .field("epoch_end_seconds", report.ring.epoch_ends)
        .field("bytes_passed", report.ring.bytes_passed)
        .field("bytes_shared", report.ring.bytes_shared);
    j.end_object();
  }
  j.field("train_rows", static_cast<std::uint64_t>(f.train_rows));
  j.field("val_rows", static_cast<std::uint64_t>(m.validation.size()));
  j.field("users", static_cast<std::uint64_t>(m.users.size()));
  j.field("items", static_cast<std::uint64_t>(m.items.size()));
  j.key("settings");
  recsys::write_json(j, m.settings);
  j.key("history").begin_array();
  for (const auto& h : report.history) {
    j.begin_object();
    j.field("epoch", h.epoch).field("train_mse", h.train_mse).field("val_mse", h.val_mse);
    j.field("val_rmse", h.val_rmse).field("val_mae", h.val_mae).field("seconds", h.seconds);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  write_stdout(j.str() + "\n");
}

FitHooks progress_hooks(const TrainOptions& o, int epochs, Objective objective) {
  FitHooks hooks;
  // On a terminal only: a log file keeps one line per epoch.
  const auto bar =
      !o.quiet && ::isatty(STDERR_FILENO) ? std::make_shared<ProgressBar>(epochs) : nullptr;
  hooks.on_start = [&o, bar](const FitStart& s) {
    log_start(s, o);
    if (bar) bar->start(s.train_rows);
  };
  hooks.on_epoch = [bar, quiet = o.quiet, epochs, objective](const EpochRecord& r) {
    if (bar) bar->epoch_done(r.epoch);
    if (!quiet) spdlog::info("{}", epoch_line(r, epochs, objective));
  };
  if (bar) hooks.on_batch = [bar](std::size_t done, std::size_t total) { bar->batch(done, total); };
  hooks.checkpoint_every = o.checkpoint_every;
  hooks.on_checkpoint = [&o](const TrainedModel& m) {
    save_model(m, o.model);
    if (!o.quiet) spdlog::info("checkpoint: wrote {} (epoch {})", o.model, m.best_epoch);
  };
  return hooks;
}

DatasetOptions dataset_options(const CLI::App& cmd, const TrainOptions& o, Communicator* ranks) {
  DatasetOptions data;
  data.ratings_path = o.ratings;
  data.val_path = o.val;
  data.movies_path = o.movies;
  data.load = load_options(cmd, o.input, {true, true});
  if (!o.rating_range.empty()) data.load.range = parse_rating_range(o.rating_range);
  data.load.ranks = ranks;
  return data;
}

// The whole command on one process, or on rank 0 of several (ranks), which
// then reads its part of the files, receives the others' rows, and trains.
// `ready` runs once the checks that only this process makes have passed.
void train_and_save(const CLI::App& cmd, const TrainOptions& o, Communicator* ranks,
                    const std::function<void()>& ready) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const TrainConfig config = resolve(cmd, o);
  if (o.quiet) spdlog::set_level(spdlog::level::warn);
  // A missing or read-only output directory fails now, not after training.
  check_writable(o.model);
  if (ranks) check_distributable(config);
  if (ready) ready();
  const DatasetOptions data = dataset_options(cmd, o, ranks);
  if (ranks)
    spdlog::info("{} MPI ranks read {} a part each and train a user group each", ranks->size(),
                 o.ratings);

  FitHooks hooks = progress_hooks(o, config.epochs, config.objective);
  // Held until the model is saved: a stop request during the save waits for it.
  const StopSignals stop_signals;
  hooks.stop = stop_signals.flag();
  const FitResult f = fit(data, config, hooks);
  const TrainReport& report = f.report;
  if (report.interrupted && report.history.empty()) {
    spdlog::warn("interrupted before the first epoch finished: no model written ({} is as it was)",
                 o.model);
    throw Interrupted(stop_signals.received());
  }
  if (report.interrupted) spdlog::warn("interrupted: saving the model as it stands");
  if (report.stopped_early)
    spdlog::info("early stopping: {} epochs without val RMSE falling {}; keeping epoch {}",
                 config.early_stopping,
                 config.min_delta > 0 ? fmt::format("by {:g}%", 100 * config.min_delta)
                                      : std::string("at all"),
                 report.best_epoch);

  if (report.ring.training > 0) {
    const RingTimes& t = report.ring;
    const double epochs = double(std::max<std::size_t>(report.history.size(), 1));
    if (config.objective == Objective::Choice)
      spdlog::info(
          "per epoch on rank 0: {:.3f} s training its users and its share of the movies' "
          "gradients, {:.3f} s adding up the shares ({:.1f} MB sent), {:.3f} s stepping the "
          "movies",
          t.training / epochs, t.passing / epochs, double(t.bytes_passed) / 1e6 / epochs,
          t.epoch_ends / epochs);
    else
      spdlog::info(
          "per epoch on rank 0: {:.3f} s training its blocks, {:.3f} s passing {:.1f} MB of "
          "movie groups, {:.3f} s at the epoch's end (sharing {:.1f} MB of movie tables, "
          "validation)",
          t.training / epochs, t.passing / epochs, double(t.bytes_passed) / 1e6 / epochs,
          t.epoch_ends / epochs, double(t.bytes_shared) / 1e6 / epochs);
  }
  const std::uint64_t bytes = save_model(f.model, o.model);
  const ValidationRanking ranked = rank_validation(f, f.model.settings.threads);
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (f.model.predicts_stars())
    spdlog::info(
        "val RMSE {:.4f} MAE {:.4f} stars (predicting the training mean: RMSE {:.4f}); "
        "trained in {:.2f} s; wrote {} ({:.1f} MB)",
        f.validation.rmse, f.validation.mae, f.baseline.rmse, report.seconds, o.model,
        static_cast<double>(bytes) / 1e6);
  else if (ranked.computed)
    spdlog::info(
        "val ndcg@10 {:.4f}, hit rate {:.3f} (the most-popular chart: {:.4f}, {:.3f}; {} user{} "
        "with a held-out rating >= 4, ranked in {:.2f} s); trained in {:.2f} s; wrote {} ({:.1f} "
        "MB); the {} objective ranks films, it predicts no stars",
        ranked.model.ndcg, ranked.model.hit_rate, ranked.popularity.ndcg,
        ranked.popularity.hit_rate, with_commas(ranked.model.users),
        ranked.model.users == 1 ? "" : "s", ranked.seconds, report.seconds, o.model,
        static_cast<double>(bytes) / 1e6, objective_name(config.objective));
  else
    spdlog::info(
        "trained in {:.2f} s; wrote {} ({:.1f} MB); the {} objective ranks films, it predicts no "
        "stars",
        report.seconds, o.model, static_cast<double>(bytes) / 1e6,
        objective_name(config.objective));
  if (o.format == "json") write_json(f, ranked, total_s, ranks ? ranks->size() : 1);
  if (report.interrupted) throw Interrupted(stop_signals.received());
}

// During training the ranks wait in exchanges, not for a word: a failure on
// one then ends them all, after saying why.
[[noreturn]] void abort_ranks(Communicator& ranks, int code, const char* why) {
  if (*why) std::fprintf(stderr, "recsys: rank %d: %s\n", ranks.rank(), why);
  std::fflush(stderr);
  ranks.abort_all(code);
  std::_Exit(code);  // not reached: abort_all does not return
}

// Rank 0 tells the others how the command ended (its exit code) with one
// broadcast, whenever it ends: before the shared reads began (a check only
// it makes failed) or after training. "go" instead lets them start reading.
// A failure is printed before the others hear of it: once they exit with
// its code, mpirun may end rank 0 before it has said why.
void lead_ranks(const CLI::App& cmd, const TrainOptions& o, Communicator& ranks) {
  const auto tell = [&](int code, const std::string& why) {
    if (ranks.lockstep) abort_ranks(ranks, code, why.c_str());
    if (!why.empty()) std::fprintf(stderr, "recsys: %s\n", why.c_str());
    std::fflush(stderr);
    ranks.broadcast_from_first(std::to_string(code));
    if (code != 0) throw QuietExit(code);
  };
  try {
    train_and_save(cmd, o, &ranks, [&] { ranks.broadcast_from_first("go"); });
  } catch (const Error& e) {
    tell(e.exit_code(), e.what());
  } catch (const Interrupted& e) {
    tell(128 + e.signal, "");
  } catch (const StdoutClosed&) {
    return tell(0, "");  // as main does: a reader that stopped early is no failure
  } catch (const std::bad_alloc&) {
    tell(1, "out of memory");
  } catch (const std::exception& e) {
    tell(1, std::string("internal error: ") + e.what());
  }
  tell(0, "");
}

// A rank other than 0: silent, it reads its part of each file as rank 0
// reads the whole, then exits with rank 0's code. An error in the reads is
// thrown on every rank alike and printed once, by rank 0.
void follow_ranks(const CLI::App& cmd, const TrainOptions& o, Communicator& ranks) {
  spdlog::set_level(spdlog::level::off);
  std::string said;
  try {
    const TrainConfig config = resolve(cmd, o);
    said = ranks.broadcast_from_first("");
    if (said == "go") said = fit_follower(dataset_options(cmd, o, &ranks), config);
  } catch (const Error& e) {
    if (ranks.lockstep) abort_ranks(ranks, e.exit_code(), e.what());
    said.clear();  // rank 0 meets the same error in the reads and reports it
  } catch (const std::bad_alloc&) {
    abort_ranks(ranks, 1, "out of memory");  // this rank's alone: the others wait for it
  } catch (const std::exception& e) {
    abort_ranks(ranks, 1, (std::string("internal error: ") + e.what()).c_str());
  }
  if (said.empty()) said = ranks.broadcast_from_first("");
  throw QuietExit(std::stoi(said));
}

void run(const CLI::App& cmd, const TrainOptions& o) {
  if (!launched_as_ranks()) return train_and_save(cmd, o, nullptr, {});
  const std::unique_ptr<Communicator> ranks = join_ranks();
  if (ranks->rank() == 0) return lead_ranks(cmd, o, *ranks);
  follow_ranks(cmd, o, *ranks);
}

// Each option's help ends with its default, per objective where they differ.
}  // namespace

void register_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model on a ratings file and save it");
  cmd->add_option("ratings", o->ratings,
                  "Ratings CSV with a header (userId,movieId,rating[,timestamp])")
      ->required();
  cmd->add_option("--model", o->model, "Model file to write")->capture_default_str();
  cmd->add_option("--val", o->val,
                  "Validation ratings file (instead of holding out part of the ratings: --split is "
                  "then not used)");
  cmd->add_option("--movies", o->movies,
                  "Titles CSV (movieId,title,genres); default: movies.csv beside the ratings");
  add_input_options(cmd, o->input, "", {true, true});
  cmd->add_option(
      "--rating-range", o->rating_range,
      "MIN,MAX for scaling (default: the file's own min and max); ratings outside are an error");
  add_setting_options(cmd, o->settings);
  cmd->add_option("--checkpoint-every", o->checkpoint_every,
                  "Also write the model file every N epochs while training (0 = only at the end)")
      ->capture_default_str();
  add_format_option(cmd, o->format, {"table", "json"});
  cmd->add_flag("-q,--quiet", o->quiet,
                "Warnings and errors only: no info or per-epoch lines, no progress bar");
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace recsys::cli
