// recsys train RATINGS.csv: load, split, train, save one model file.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/data/dataset.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/io/atomic_file.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/train/presets.hpp"
#include "recsys/train/trainer.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

struct TrainOptions {
  std::string ratings, val, movies, model = "recsys.model", preset = "default";
  std::string user_col = "userId", item_col = "movieId", rating_col = "rating", rating_range;
  double val_fraction = 0.1;
  std::uint64_t seed = 42;
  int dim = 0, epochs = 0, early_stopping = 0, threads = 0, checkpoint_every = 0, block_groups = 0;
  std::size_t batch = 0;
  double lr = 0, weight_decay = 0, init_std = 0;
  std::string optimizer, format = "text", shuffle = "auto";
  bool quiet = false;
};

std::atomic<bool> g_stop{false};
// The first Ctrl-C (or SIGTERM) asks training to stop after the current batch
// and save; SA_RESETHAND restores the default action, so a second one quits
// at once (the previous model file is safe either way: see atomic_file.hpp).
extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  static const char kMessage[] =
      "\nrecsys: stopping after this batch and saving (press Ctrl-C again to quit without "
      "saving)\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

// Installs the stop handler for SIGINT and SIGTERM, restoring the previous
// handlers when it goes out of scope.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &action, &previous_int_);
    ::sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &previous_int_, nullptr);
    ::sigaction(SIGTERM, &previous_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction previous_int_ {
  }, previous_term_{};
};

// Refuses sizes whose tables cannot fit in this machine's memory: an absurd
// --dim should be a clear error before training, not an allocation failure.
void check_memory(const Hyperparameters& h, std::size_t users, std::size_t items) {
  const double rows = static_cast<double>(users) + static_cast<double>(items);
  // Weights, Adam's two moments, the best epoch's copy, and dense adam's
  // full-size gradient (sparse adam's per-thread gradients are batch-sized).
  const double copies = 4.0 + (h.optimizer == Adam::Mode::Dense ? 1 : 0);
  const double needed = rows * (h.dim + 1) * sizeof(float) * copies;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return;
  const double available = static_cast<double>(pages) * static_cast<double>(page_size);
  if (needed > available)
    throw Error("--dim " + std::to_string(h.dim) + " needs about " + fixed(needed / (1 << 30), 1) +
                " GiB for " + std::to_string(users) + " users and " + std::to_string(items) +
                " movies, more than this machine's " + fixed(available / (1 << 30), 1) +
                " GiB; lower --dim");
}

Shuffle parse_shuffle(const std::string& name) {
  if (name == "global") return Shuffle::Global;
  if (name == "blocks") return Shuffle::Blocks;
  return Shuffle::Auto;
}

// Settings = the preset, then every option the user gave explicitly.
Hyperparameters resolve(const CLI::App& cmd, const TrainOptions& o) {
  Hyperparameters h = preset(o.preset);
  if (cmd.count("--dim")) h.dim = o.dim;
  if (cmd.count("--epochs")) h.epochs = o.epochs;
  if (cmd.count("--batch")) h.batch = o.batch;
  if (cmd.count("--lr")) h.lr = o.lr;
  if (cmd.count("--weight-decay")) h.weight_decay = o.weight_decay;
  if (cmd.count("--init-std")) h.init_std = o.init_std;
  if (cmd.count("--optimizer")) h.optimizer = parse_optimizer(o.optimizer);
  if (cmd.count("--early-stopping")) h.early_stopping = o.early_stopping;
  if (h.dim < 1 || h.dim > 4096) throw Error("--dim must be between 1 and 4096");
  if (h.epochs < 0) throw Error("--epochs must be 0 or more");
  if (h.batch < 1 || h.batch > (1u << 24)) throw Error("--batch must be between 1 and 16777216");
  if (!(h.lr > 0) || !std::isfinite(h.lr)) throw Error("--lr must be a positive number");
  if (!(h.weight_decay >= 0) || !std::isfinite(h.weight_decay))
    throw Error("--weight-decay must be 0 or more");
  if (!(h.init_std >= 0) || !std::isfinite(h.init_std)) throw Error("--init-std must be 0 or more");
  if (h.early_stopping < 0) throw Error("--early-stopping must be 0 (off) or more");
  if (o.threads < 0 || o.threads > 1024)
    throw Error("--threads must be between 0 (all cores) and 1024");
  if (o.checkpoint_every < 0) throw Error("--checkpoint-every must be 0 (off) or more epochs");
  return h;
}

std::string number_with_commas(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int k = static_cast<int>(s.size()) - 3; k > 0; k -= 3)
    s.insert(static_cast<std::size_t>(k), ",");
  return s;
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::string epoch_line(const EpochRecord& r, int epochs) {
  return "epoch " + std::to_string(r.epoch) + "/" + std::to_string(epochs) + "  train MSE " +
         fixed(r.train_mse, 4) + "  val MSE " + fixed(r.val_mse, 4) + "  val RMSE " +
         fixed(r.val_rmse, 4) + "  MAE " + fixed(r.val_mae, 4) + " stars  " + fixed(r.seconds, 2) +
         " s";
}

void write_json(const TrainedModel& m, std::size_t train_rows, const TrainReport& report,
                const Accuracy& final_val, const Accuracy& baseline, double load_s,
                double total_s) {
  JsonWriter j;
  j.begin_object();
  j.field("val_rmse", final_val.rmse)
      .field("val_mae", final_val.mae)
      .field("val_mse", final_val.mse);
  j.field("baseline_rmse", baseline.rmse);
  j.field("best_epoch", m.best_epoch).field("epochs_run", static_cast<int>(report.history.size()));
  j.field("stopped_early", report.stopped_early).field("interrupted", report.interrupted);
  j.field("seconds", total_s).field("load_seconds", load_s).field("train_seconds", report.seconds);
  j.field("train_rows", static_cast<std::uint64_t>(train_rows));
  j.field("val_rows", static_cast<std::uint64_t>(m.validation.size()));
  j.field("users", static_cast<std::uint64_t>(m.users.size()));
  j.field("items", static_cast<std::uint64_t>(m.items.size()));
  const ModelSettings& s = m.settings;
  j.key("settings").begin_object();
  j.field("preset", s.preset).field("dim", s.dim).field("epochs", s.epochs);
  j.field("batch", s.batch).field("lr", s.lr).field("weight_decay", s.weight_decay);
  j.field("init_std", s.init_std).field("optimizer", s.optimizer).field("seed", s.seed);
  j.field("threads", s.threads).field("early_stopping", s.early_stopping);
  j.field("val_fraction", s.val_fraction);
  j.end_object();
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

void run(const CLI::App& cmd, const TrainOptions& o) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const Hyperparameters h = resolve(cmd, o);
  if (o.quiet) spdlog::set_level(spdlog::level::warn);
  if (o.format != "text" && o.format != "json") throw Error("--format must be text or json");
  const int threads = o.threads > 0
                          ? o.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  DatasetOptions d;
  d.ratings_path = o.ratings;
  d.val_path = o.val;
  d.val_fraction = o.val_fraction;
  d.seed = o.seed;
  d.movies_path = o.movies;
  d.load.columns = {o.user_col, o.item_col, o.rating_col};
  if (!o.rating_range.empty()) d.load.range = parse_rating_range(o.rating_range);
  // A missing or read-only output directory fails now, not after training.
  check_writable(o.model);
  Dataset data = load_dataset(d);
  const double load_s = std::chrono::duration<double>(Clock::now() - start).count();
  spdlog::info("{}: {} ratings, {} users, {} movies, stars {}..{}; loaded in {:.2f} s", o.ratings,
               number_with_commas(data.train.size() + data.val.size()),
               number_with_commas(data.users.size()), number_with_commas(data.items.size()),
               data.scaler.min, data.scaler.max, load_s);
  spdlog::info("training rows {}, validation rows {}{}", number_with_commas(data.train.size()),
               number_with_commas(data.val.size()),
               o.val.empty() ? " (random " + fixed(o.val_fraction * 100, 1) + "% holdout, seed " +
                                   std::to_string(o.seed) + ")"
                             : " from " + o.val);
  if (data.cold_val_rows > 0)
    spdlog::info(
        "{} validation rows have a user or movie with no training row; they are scored "
        "with that row's initial weights",
        number_with_commas(data.cold_val_rows));
  if (data.untitled_items > 0 && !data.movies_path.empty())
    spdlog::warn("{}: {} movies have no title there; they are shown by id", data.movies_path,
                 number_with_commas(data.untitled_items));

  check_memory(h, data.users.size(), data.items.size());
  TrainedModel m;
  m.settings = {o.preset, h.dim,          h.epochs,         h.batch,
                h.lr,     h.weight_decay, h.init_std,       optimizer_name(h.optimizer),
                o.seed,   threads,        h.early_stopping, o.val.empty() ? o.val_fraction : 0.0};
  m.source = {o.ratings, file_size(o.ratings), o.val, data.movies_path};
  m.scaler = data.scaler;
  Rng rng(o.seed);
  m.tables =
      Embeddings::random(static_cast<std::uint32_t>(data.users.size()),
                         static_cast<std::uint32_t>(data.items.size()), h.dim, h.init_std, rng);
  // Everything but the weights and the history is final before training, so
  // a checkpoint is a complete model file.
  m.users = std::move(data.users);
  m.items = std::move(data.items);
  m.stats = std::move(data.stats);
  m.titles = std::move(data.titles);
  m.genres = std::move(data.genres);
  // train_rated (the model file's list of rated movies) is built after
  // training, or at a checkpoint: during training it would be a second copy of
  // the training pairs, the largest thing in memory after the ratings.
  // Its per-user index (validation_rated) is left unbuilt: only topn and
  // metrics use it, and they rebuild it when they load the file.
  m.validation = std::move(data.val);

  TrainSettings ts;
  ts.epochs = h.epochs;
  ts.batch = h.batch;
  ts.adam.lr = static_cast<float>(h.lr);
  ts.adam.weight_decay = static_cast<float>(h.weight_decay);
  ts.mode = h.optimizer;
  ts.seed = o.seed;
  ts.early_stopping = h.early_stopping;
  ts.threads = threads;
  ts.shuffle = parse_shuffle(o.shuffle);
  ts.block_groups = o.block_groups;
  spdlog::info(
      "training: preset {}, dim {}, {} epochs, batch {}, lr {}, weight decay {}, init std {}, "
      "{}, early stopping {}, {} shuffle, {} thread{}",
      o.preset, h.dim, h.epochs, h.batch, h.lr, h.weight_decay, h.init_std,
      optimizer_name(h.optimizer), h.early_stopping ? std::to_string(h.early_stopping) : "off",
      resolve_shuffle(ts, m.tables) == Shuffle::Blocks ? "blocks" : "global", threads,
      threads == 1 ? "" : "s");

  TrainHooks hooks;
  const bool progress_bar = !o.quiet && ::isatty(STDERR_FILENO);
  std::vector<EpochRecord> history;
  hooks.on_epoch = [&](const EpochRecord& r) {
    if (progress_bar) std::fprintf(stderr, "\r\033[K");
    if (!o.quiet) spdlog::info("{}", epoch_line(r, h.epochs));
    history.push_back(r);
    history.back().seconds = 0;
    if (o.checkpoint_every > 0 && r.epoch % o.checkpoint_every == 0 && r.epoch < h.epochs) {
      m.history = history;
      m.best_epoch = r.epoch;
      m.train_rated = RatedItems::build(m.users.size(), data.train);
      save_model(m, o.model);
      if (!o.quiet) spdlog::info("checkpoint: wrote {} (epoch {})", o.model, r.epoch);
    }
  };
  if (progress_bar)
    hooks.on_batch = [](std::size_t done, std::size_t total) {
      const int width = 30;
      const int filled = static_cast<int>(width * done / std::max<std::size_t>(total, 1));
      std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu batches", filled,
                   "==============================", width - filled, "", done, total);
      std::fflush(stderr);
    };
  g_stop = false;
  hooks.stop = &g_stop;
  // Held until the model is saved: a stop request during the save waits for it.
  const StopSignals stop_signals;
  const TrainReport report = train(m.tables, data.train, m.validation, data.scaler, ts, hooks);
  if (report.interrupted && report.history.empty()) {
    spdlog::warn("interrupted before the first epoch finished: no model written ({} is as it was)",
                 o.model);
    throw Interrupted();
  }
  if (report.interrupted) spdlog::warn("interrupted: saving the model as it stands");
  if (report.stopped_early)
    spdlog::info("early stopping: no better val MSE for {} epochs; keeping epoch {}",
                 h.early_stopping, report.best_epoch);

  m.history = report.history;
  for (auto& h : m.history) h.seconds = 0;
  m.best_epoch = report.best_epoch;
  const Accuracy final_val = accuracy(m.tables, m.validation, m.scaler);
  double train_mean = 0;
  for (const float r : data.train.stars) train_mean += r;
  const std::size_t train_rows = data.train.size();
  train_mean /= static_cast<double>(std::max<std::size_t>(train_rows, 1));
  const Accuracy baseline = constant_accuracy(train_mean, m.validation, m.scaler);
  // The training rows are freed as soon as each part has served: the stars
  // before the list of rated movies is built from users and items, the rest
  // before the file is serialized.
  std::vector<float>().swap(data.train.stars);
  m.train_rated = RatedItems::build(m.users.size(), data.train.user, data.train.item);
  data.train = Ratings{};

  save_model(m, o.model);
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  spdlog::info(
      "val RMSE {:.4f} MAE {:.4f} stars (predicting the training mean: RMSE {:.4f}); "
      "trained in {:.2f} s; wrote {} ({:.1f} MB)",
      final_val.rmse, final_val.mae, baseline.rmse, report.seconds, o.model,
      static_cast<double>(file_size(o.model)) / 1e6);
  if (o.format == "json") write_json(m, train_rows, report, final_val, baseline, load_s, total_s);
}

}  // namespace

void register_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model on a ratings CSV and save it");
  cmd->add_option("ratings", o->ratings,
                  "Ratings CSV with a header (userId,movieId,rating[,timestamp])")
      ->required();
  cmd->add_option("--model", o->model, "Model file to write")->capture_default_str();
  cmd->add_option("--val", o->val, "Validation ratings file (instead of a random holdout)");
  cmd->add_option("--val-fraction", o->val_fraction, "Share of rows held out for validation")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed for the split, the initial weights and the shuffling")
      ->capture_default_str();
  cmd->add_option("--movies", o->movies,
                  "Titles CSV (movieId,title,genres); default: movies.csv beside the ratings");
  cmd->add_option("--user-col", o->user_col, "User id column")->capture_default_str();
  cmd->add_option("--item-col", o->item_col, "Item id column")->capture_default_str();
  cmd->add_option("--rating-col", o->rating_col, "Rating column")->capture_default_str();
  cmd->add_option(
      "--rating-range", o->rating_range,
      "MIN,MAX for scaling (default: the file's own min and max); ratings outside are an error");
  cmd->add_option(
         "--preset", o->preset,
         "default | notebook (dim 16, batch 64, lr 0.01, N(0,1) init, dense adam, 10 epochs)")
      ->capture_default_str();
  const Hyperparameters d = preset("default");
  cmd->add_option("--dim", o->dim,
                  "Embedding size [default preset: " + std::to_string(d.dim) + "]");
  cmd->add_option("--epochs", o->epochs,
                  "Epochs [default preset: " + std::to_string(d.epochs) + "]");
  cmd->add_option("--batch", o->batch,
                  "Mini-batch size [default preset: " + std::to_string(d.batch) + "]");
  cmd->add_option("--lr", o->lr, "Adam learning rate [default preset: " + fixed(d.lr, 4) + "]");
  cmd->add_option("--weight-decay", o->weight_decay,
                  "L2 added to the gradient, as torch.optim.Adam [default preset: " +
                      fixed(d.weight_decay, 6) + "]");
  cmd->add_option(
      "--init-std", o->init_std,
      "Std of the normal initial weights [default preset: " + fixed(d.init_std, 3) + "]");
  cmd->add_option(
      "--optimizer", o->optimizer,
      "adam (dense, every row every step) | sparse-adam (rows in the batch) [default preset: " +
          optimizer_name(d.optimizer) + "]");
  cmd->add_option("--early-stopping", o->early_stopping,
                  "Stop after N epochs without a better val MSE and keep the best epoch; 0 = off "
                  "[default preset: " +
                      std::to_string(d.early_stopping) + "]");
  cmd->add_option("--threads", o->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_option(
         "--shuffle", o->shuffle,
         "Row order of an epoch: global (one shuffle of all rows), blocks (shuffled blocks of "
         "user and movie groups, for models larger than the cache: see README), or auto "
         "(blocks for sparse adam when the tables and moments exceed 16 MiB)")
      ->check(CLI::IsMember({"auto", "global", "blocks"}))
      ->capture_default_str();
  cmd->add_option("--block-groups", o->block_groups,
                  "With blocks: user groups, 1-255 (0 = sized so that a group's rows fit half a "
                  "core's L2 cache)")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  cmd->add_option("--checkpoint-every", o->checkpoint_every,
                  "Also write the model file every N epochs while training (0 = only at the end)")
      ->capture_default_str();
  add_format_option(cmd, o->format, {"text", "json"});
  cmd->add_flag("-q,--quiet", o->quiet,
                "Warnings and errors only: no info or per-epoch lines, no progress bar");
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace recsys::cli
