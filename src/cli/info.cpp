// recsys info: what a model file holds.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"

namespace recsys::cli {
namespace {

struct InfoOptions {
  std::string model = "recsys.model", format = "table";
  bool cpu = false;
};

std::string holdout_text(const TrainConfig& s) {
  const std::string share = fixed(s.val_fraction * 100, 1) + "%";
  switch (s.split) {
    case Split::UserTime:
      return "each user's latest " + share + " by timestamp";
    case Split::Time:
      return "the latest " + share + " of all ratings by timestamp";
    case Split::Random:
      break;
  }
  return "random holdout of " + share;
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return line.substr(line.find(':') + 2);
  return "unknown";
}

// --cpu: which kernel set and score product this machine runs, and why.
void run_cpu(const InfoOptions& o) {
  const kernels::KernelSet& chosen = kernels::active();
  const char* forced = std::getenv("RECSYS_KERNELS");
  const bool by_env = forced && *forced;
  std::vector<std::string> names;
  for (const kernels::KernelSet* set : kernels::available()) names.push_back(set->name);
  if (o.format == "json") {
    JsonWriter j;
    j.begin_object().field("cpu", cpu_name()).field("kernels", std::string(chosen.name));
    j.field("forced_by_RECSYS_KERNELS", by_env);
    j.key("available").begin_array();
    for (const auto& n : names) j.value(n);
    j.end_array();
    j.field("top_n_scores", std::string(chosen.name) + " score_panels");
    j.field("threads", static_cast<std::uint64_t>(std::thread::hardware_concurrency()));
    j.end_object();
    write_stdout(j.str() + "\n");
    return;
  }
  std::string available;
  for (const auto& n : names) available += (available.empty() ? "" : ", ") + n;
  const std::vector<std::vector<std::string>> rows = {
      {"cpu", cpu_name() + ", " + std::to_string(std::thread::hardware_concurrency()) +
                  " hardware threads"},
      {"kernels", kernels::describe(chosen) +
                      (by_env ? " (set by RECSYS_KERNELS)" : " (the widest this CPU runs)")},
      {"kernel sets this CPU runs", available},
      {"top-N scores", std::string(chosen.name) + " kernels, " + std::to_string(chosen.score_rows) +
                           " users x 16 movies a step, fused with the selection"},
  };
  std::string out = format_table({"", ""}, rows);
  write_stdout(out.substr(out.find('\n') + 1));
}

void run(const InfoOptions& o) {
  if (o.cpu) {
    run_cpu(o);
    return;
  }
  const TrainedModel m = load_model(o.model);
  const TrainConfig& s = m.settings;
  // NaN (null in JSON) where the scores are not ratings.
  Accuracy val;
  val.mse = val.rmse = val.mae = std::nan("");
  if (m.predicts_stars()) val = accuracy(m.tables, m.validation, m.scaler);
  if (o.format == "json") {
    JsonWriter j;
    j.begin_object().field("format_version", static_cast<int>(m.format_version));
    j.field("ratings", m.source.ratings_path).field("ratings_bytes", m.source.ratings_bytes);
    j.field("val_file", m.source.val_path).field("movies", m.source.movies_path);
    j.field("users", static_cast<std::uint64_t>(m.users.size()));
    j.field("items", static_cast<std::uint64_t>(m.items.size()));
    j.field("train_rows", static_cast<std::uint64_t>(m.train_rated.items.size()));
    j.field("val_rows", static_cast<std::uint64_t>(m.validation.size()));
    j.field("rating_min", m.scaler.min).field("rating_max", m.scaler.max);
    j.key("settings");
    write_json(j, s);
    j.field("best_epoch", m.best_epoch);
    j.field("val_rmse", val.rmse).field("val_mae", val.mae).field("val_mse", val.mse);
    j.end_object();
    write_stdout(j.str() + "\n");
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"model file", o.model + " (format version " + std::to_string(m.format_version) + ")"},
      {"trained on",
       m.source.ratings_path + " (" + std::to_string(m.source.ratings_bytes) + " bytes)"},
      {"validation", m.source.val_path.empty() ? holdout_text(s) : m.source.val_path},
      {"titles", m.source.movies_path.empty() ? "(none)" : m.source.movies_path},
      {"users / movies", std::to_string(m.users.size()) + " / " + std::to_string(m.items.size())},
      {"training rows",
       std::to_string(m.train_rated.items.size()) + " distinct (user, movie) pairs"},
      {"validation rows", std::to_string(m.validation.size())},
      {"rating scale", fixed(m.scaler.min, 2) + " .. " + fixed(m.scaler.max, 2) + " stars"},
      {"settings",
       "preset " + s.preset +
           (m.predicts_stars() ? ""
                               : ", objective " + objective_name(s.objective) +
                                     ", negative weight " + fixed(s.negative_weight, 2)) +
           ", dim " + std::to_string(s.dim) + ", " + std::to_string(s.epochs) + " epochs, batch " +
           std::to_string(s.batch) + ", lr " + fixed(s.lr, 4) +
           (s.lr_schedule == LrSchedule::Constant ? ""
                                                  : " (" + lr_schedule_name(s.lr_schedule) + ")") +
           ", weight decay " +
           (m.predicts_stars() ? fixed(s.weight_decay, 6)
                               : setting_text(s, "weight_decay", TextForm::Short)) +
           ", init std " + fixed(s.init_std, 3) +
           // The choice objective steps whole rows with its own Adam.
           (m.predicts_stars() ? ", " + optimizer_name(s.optimizer) : "") + ", seed " +
           std::to_string(s.seed)},
      {"schedule", std::to_string(s.threads) + " thread" + (s.threads == 1 ? "" : "s") +
                       (!m.predicts_stars()
                            ? ""
                            : ", early stopping " + early_stopping_text(s) + ", " +
                                  (m.format_version < 2
                                       ? "shuffle and block groups not recorded (format version 1)"
                                       : shuffle_name(s.shuffle) + " shuffle, block groups " +
                                             std::to_string(s.block_groups)))},
      {"training", std::to_string(m.history.size()) + " epochs run; weights of epoch " +
                       std::to_string(m.best_epoch)},
      {"validation figures", m.predicts_stars()
                                 ? "RMSE " + fixed(val.rmse, 4) + ", MAE " + fixed(val.mae, 4) +
                                       " stars, MSE " + fixed(val.mse, 4) + " scaled"
                                 : "none in stars: objective " + objective_name(s.objective) +
                                       " scores rank films, they are not ratings (recsys metrics)"},
  };
  std::string out = format_table({"", ""}, rows);
  out = out.substr(out.find('\n') + 1);  // no header line for a key/value list
  if (!m.history.empty()) {
    std::vector<std::vector<std::string>> h;
    if (m.predicts_stars()) {
      for (const auto& r : m.history)
        h.push_back({std::to_string(r.epoch), fixed(r.train_mse, 4), fixed(r.val_mse, 4),
                     fixed(r.val_rmse, 4), fixed(r.val_mae, 4)});
      out += "\n" + format_table({"epoch", "train_mse", "val_mse", "val_rmse", "val_mae"}, h,
                                 {true, true, true, true, true});
    } else {
      // A choice model's epochs have a loss per rated pair and no figure in stars.
      for (const auto& r : m.history) h.push_back({std::to_string(r.epoch), fixed(r.train_mse, 4)});
      out += "\n" + format_table({"epoch", "loss"}, h, {true, true});
    }
  }
  write_stdout(out);
}

}  // namespace

void register_info(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Show what a model file holds");
  add_model_option(cmd, o->model);
  add_format_option(cmd, o->format, {"table", "json"});
  cmd->add_flag("--cpu", o->cpu,
                "Show this machine's CPU and the kernel set recsys runs on it (set "
                "RECSYS_KERNELS=baseline, avx2 or avx512 to force one) instead of a model");
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
