#include "recsys/train/train_config.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <variant>

#include "recsys/output/json_writer.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

using Member =
    std::variant<std::string TrainConfig::*, int TrainConfig::*, std::uint64_t TrainConfig::*,
                 double TrainConfig::*, Adam::Mode TrainConfig::*, Shuffle TrainConfig::*,
                 Split TrainConfig::*, Objective TrainConfig::*, LrSchedule TrainConfig::*>;

struct Setting {
  SettingInfo info;
  Member member;
  bool (*valid)(double);  // numbers only; nullptr: any value its type parses
  const char* rule;       // completes "--option ..." when valid() fails
};

constexpr std::array<std::string_view, 2> kOptimizers = {"adam", "sparse-adam"};
constexpr std::array<std::string_view, 3> kShuffles = {"auto", "global", "blocks"};
constexpr std::array<std::string_view, 3> kSplits = {"random", "user-time", "time"};
constexpr std::array<std::string_view, 2> kObjectives = {"rating", "choice"};
constexpr std::array<std::string_view, 2> kSchedules = {"constant", "cosine"};

// The one table: order = the order of the model file, JSON and --help.
const auto kSettings = std::to_array<Setting>({
    {{"preset", "--preset",
      "default (the settings measured best for the objective) | notebook (the PyTorch "
      "notebook's rating model: dim 16, batch 64, lr 0.01, N(0,1) init, dense adam, 10 epochs) "
      "| choice (default with --objective choice); options given explicitly override it",
      false},
     &TrainConfig::preset,
     nullptr,
     ""},
    {{"objective", "--objective",
      "choice (learn which films a user rates at all, every unrated film a weighted 0: ranks "
      "films, predicts no stars) | rating (fit the stars: predicts ratings, ranks worse); see "
      "docs/training.md",
      true},
     &TrainConfig::objective,
     nullptr,
     ""},
    {{"dim", "--dim", "Embedding size", true},
     &TrainConfig::dim,
     [](double x) { return x >= 1 && x <= 4096; },
     "must be between 1 and 4096"},
    {{"epochs", "--epochs", "Epochs", true},
     &TrainConfig::epochs,
     [](double x) { return x >= 1 && x <= 1e6; },
     "must be between 1 and 1000000"},
    {{"batch", "--batch",
      "Mini-batch size (choice: rows per Adam step; each row takes one exact step per epoch, so "
      "it changes only how work is shared)",
      true},
     &TrainConfig::batch,
     [](double x) { return x >= 1 && x <= double(1u << 24); },
     "must be between 1 and 16777216"},
    {{"lr", "--lr", "Adam learning rate", true},
     &TrainConfig::lr,
     [](double x) { return x > 0 && std::isfinite(x); },
     "must be a positive number"},
    {{"lr_schedule", "--lr-schedule",
      "constant | cosine (from --lr at the first epoch down to near 0 at the last: lr (1 + "
      "cos(pi (epoch-1) / epochs)) / 2)",
      true, "constant"},
     &TrainConfig::lr_schedule,
     nullptr,
     ""},
    {{"weight_decay", "--weight-decay", "L2 added to the gradient, as torch.optim.Adam", true},
     &TrainConfig::weight_decay,
     [](double x) { return x >= 0 && std::isfinite(x); },
     "must be 0 or more"},
    {{"init_std", "--init-std", "Std of the normal initial weights", true},
     &TrainConfig::init_std,
     [](double x) { return x >= 0 && std::isfinite(x); },
     "must be 0 or more"},
    {{"optimizer", "--optimizer",
      "adam (dense, every row every step) | sparse-adam (rows in the batch)", true},
     &TrainConfig::optimizer,
     nullptr,
     ""},
    {{"negative_weight", "--negative-weight",
      "choice: the weight of each unrated film's 0 against a rated film's 1", true},
     &TrainConfig::negative_weight,
     [](double x) { return x > 0 && x <= 1; },
     "must be in (0, 1]"},
    {{"seed", "--seed", "Seed for the split, the initial weights and the shuffling", false},
     &TrainConfig::seed,
     nullptr,
     ""},
    {{"threads", "--threads", "Worker threads (0 = all cores)", false},
     &TrainConfig::threads,
     [](double x) { return x >= 0 && x <= 1024; },
     "must be between 0 (all cores) and 1024"},
    {{"early_stopping", "--early-stopping",
      "rating: stop after N epochs without a better val MSE and keep the best epoch; 0 = off",
      true},
     &TrainConfig::early_stopping,
     [](double x) { return x >= 0; },
     "must be 0 (off) or more"},
    {{"min_delta", "--min-delta",
      "rating: with --early-stopping, an epoch restarts the count only when it lowers val RMSE "
      "by at least this share (0.001 = 0.1%) below the last epoch that did; the best epoch is "
      "kept either way",
      true, "0"},
     &TrainConfig::min_delta,
     [](double x) { return x >= 0 && x < 1; },
     "must be in [0, 1)"},
    {{"val_fraction", "--val-fraction", "Share of rows held out for validation", false},
     &TrainConfig::val_fraction,
     [](double x) { return x >= 0 && x < 1; },
     "must be in [0, 1)"},
    {{"split", "--split",
      "Which rows --val-fraction holds out (not used with --val): random (chosen with --seed), "
      "user-time (each user's latest by timestamp; each user keeps at least one training "
      "rating) or time (the latest of all by timestamp); equal timestamps: the later line is "
      "the later rating",
      false},
     &TrainConfig::split,
     nullptr,
     ""},
    {{"shuffle", "--shuffle",
      "Row order of an epoch: global (one shuffle of all rows), blocks (shuffled blocks of "
      "user and movie groups, for models larger than the cache: see docs/training.md), or auto "
      "(blocks for sparse adam when the tables and moments exceed 16 MiB)",
      false},
     &TrainConfig::shuffle,
     nullptr,
     ""},
    {{"block_groups", "--block-groups",
      "With blocks: user groups, 1-255 (0 = sized so that a group's rows fit half a core's L2 "
      "cache)",
      false},
     &TrainConfig::block_groups,
     [](double x) { return x >= 0 && x <= 255; },
     "must be between 0 and 255"},
});

const Setting* find(std::string_view key) {
  for (const Setting& s : kSettings)
    if (s.info.key == key) return &s;
  return nullptr;
}

std::string number_text(double x, TextForm form) {
  char buf[64];
  std::snprintf(buf, sizeof buf, form == TextForm::Exact ? "%.17g" : "%g", x);
  return buf;
}

template <std::size_t N>
std::size_t choice_index(const std::array<std::string_view, N>& names, std::string_view text,
                         std::string_view option) {
  for (std::size_t k = 0; k < N; ++k)
    if (names[k] == text) return k;
  std::string all;
  for (const auto n : names) all += (all.empty() ? "" : " or ") + std::string(n);
  throw Error("unknown " + std::string(option) + " '" + std::string(text) + "' (choose " + all +
              ")");
}

// Whole-string parse of a number; anything else is an error naming the option.
template <typename T>
T parse_number(std::string_view text, std::string_view option) {
  T value{};
  const char* end = text.data() + text.size();
  std::from_chars_result r{};
  if constexpr (std::is_floating_point_v<T>) {
    // from_chars for double does not take "nan"/"inf" in every libstdc++;
    // strtod does, and the checks below refuse them with the rule's words.
    const std::string copy(text);
    char* stop = nullptr;
    value = std::strtod(copy.c_str(), &stop);
    r.ptr = copy.empty() ? text.data() : text.data() + (stop - copy.c_str());
    r.ec = std::errc{};
  } else {
    r = std::from_chars(text.data(), end, value);
  }
  if (text.empty() || r.ec != std::errc{} || r.ptr != end)
    throw Error(std::string(option) + " '" + std::string(text) + "' is not a number");
  return value;
}

double as_number(const TrainConfig& c, const Member& m) {
  return std::visit(
      [&](auto ptr) -> double {
        using T = std::remove_cvref_t<decltype(c.*ptr)>;
        if constexpr (std::is_arithmetic_v<T>)
          return static_cast<double>(c.*ptr);
        else
          return 0;
      },
      m);
}

}  // namespace

TrainConfig TrainConfig::from_preset(std::string_view name, std::optional<Objective> objective) {
  TrainConfig c;  // the choice objective's default
  if (name == "choice") {
    c.preset = "choice";
    c.objective = objective.value_or(Objective::Choice);
    return c;
  }
  if (name == "default" && objective.value_or(Objective::Choice) == Objective::Choice) return c;
  if (name != "default" && name != "notebook") {
    throw Error("unknown --preset '" + std::string(name) +
                "' (choose default, notebook or choice)");
  }
  // The rating objective's default, on which the notebook builds.
  c.objective = Objective::Rating;
  c.lr_schedule = LrSchedule::Constant;
  c.dim = 32;
  c.epochs = 30;
  c.batch = 256;
  c.lr = 0.002;
  c.weight_decay = 3e-5;
  c.init_std = 0.01;
  c.early_stopping = 3;
  c.min_delta = 0.001;
  c.negative_weight = 0.5;
  if (name == "notebook") {
    c.preset = "notebook";
    c.objective = objective.value_or(Objective::Rating);
    c.dim = 16;
    c.epochs = 10;
    c.batch = 64;
    c.lr = 0.01;
    c.weight_decay = 0.0;
    c.init_std = 1.0;
    c.optimizer = Adam::Mode::Dense;
    c.early_stopping = 0;
    c.min_delta = 0;
  }
  return c;
}

void TrainConfig::check() const {
  for (const Setting& s : kSettings)
    if (s.valid && !s.valid(as_number(*this, s.member)))
      throw Error(std::string(s.info.option) + " " + s.rule);
}

std::span<const SettingInfo> train_settings() {
  static const auto infos = [] {
    std::array<SettingInfo, kSettings.size()> out{};
    for (std::size_t k = 0; k < kSettings.size(); ++k) out[k] = kSettings[k].info;
    return out;
  }();
  return infos;
}

std::string optimizer_name(Adam::Mode mode) {
  return std::string(kOptimizers[mode == Adam::Mode::Dense ? 0 : 1]);
}

std::string shuffle_name(Shuffle shuffle) {
  return std::string(kShuffles[static_cast<std::size_t>(shuffle)]);
}

std::string objective_name(Objective objective) {
  return std::string(kObjectives[static_cast<std::size_t>(objective)]);
}

std::string early_stopping_text(const TrainConfig& config) {
  if (config.early_stopping <= 0) return "off";
  std::string text = std::to_string(config.early_stopping);
  if (config.min_delta > 0) {
    char delta[48];
    std::snprintf(delta, sizeof delta, " (min delta %g%%)", 100 * config.min_delta);
    text += delta;
  }
  return text;
}

std::string lr_schedule_name(LrSchedule schedule) {
  return std::string(kSchedules[static_cast<std::size_t>(schedule)]);
}

double lr_at(const TrainConfig& config, int epoch) {
  if (config.lr_schedule == LrSchedule::Constant) return config.lr;
  const double progress = double(epoch - 1) / double(std::max(config.epochs, 1));
  return config.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

std::string split_name(Split split) {
  return std::string(kSplits[static_cast<std::size_t>(split)]);
}

std::string setting_text(const TrainConfig& config, std::string_view key, TextForm form) {
  const Setting* s = find(key);
  if (!s) throw Error("no training setting named " + std::string(key), Error::Kind::Internal);
  return std::visit(
      [&](auto ptr) -> std::string {
        const auto& v = config.*ptr;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return v;
        else if constexpr (std::is_same_v<T, Adam::Mode>)
          return optimizer_name(v);
        else if constexpr (std::is_same_v<T, Shuffle>)
          return shuffle_name(v);
        else if constexpr (std::is_same_v<T, Split>)
          return split_name(v);
        else if constexpr (std::is_same_v<T, Objective>)
          return objective_name(v);
        else if constexpr (std::is_same_v<T, LrSchedule>)
          return lr_schedule_name(v);
        else if constexpr (std::is_floating_point_v<T>)
          return number_text(v, form);
        else
          return std::to_string(v);
      },
      s->member);
}

bool set_setting(TrainConfig& config, std::string_view key, std::string_view text) {
  const Setting* s = find(key);
  if (!s) return false;
  const std::string_view option = s->info.option;
  std::visit(
      [&](auto ptr) {
        auto& v = config.*ptr;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          v = std::string(text);
        else if constexpr (std::is_same_v<T, Adam::Mode>)
          v = choice_index(kOptimizers, text, option) == 0 ? Adam::Mode::Dense : Adam::Mode::Sparse;
        else if constexpr (std::is_same_v<T, Shuffle>)
          v = static_cast<Shuffle>(choice_index(kShuffles, text, option));
        else if constexpr (std::is_same_v<T, Split>)
          v = static_cast<Split>(choice_index(kSplits, text, option));
        else if constexpr (std::is_same_v<T, Objective>)
          v = static_cast<Objective>(choice_index(kObjectives, text, option));
        else if constexpr (std::is_same_v<T, LrSchedule>)
          v = static_cast<LrSchedule>(choice_index(kSchedules, text, option));
        else
          v = parse_number<T>(text, option);
      },
      s->member);
  return true;
}

void write_json(JsonWriter& json, const TrainConfig& config) {
  json.begin_object();
  for (const Setting& s : kSettings) {
    json.key(s.info.key);
    std::visit(
        [&](auto ptr) {
          const auto& v = config.*ptr;
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (std::is_arithmetic_v<T>)
            json.value(v);
          else
            json.value(setting_text(config, s.info.key));
        },
        s.member);
  }
  json.end_object();
}

}  // namespace recsys
