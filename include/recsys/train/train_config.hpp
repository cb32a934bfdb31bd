#pragma once
// Every setting of a training run in one type: its default, the presets, its
// check and its text form, which the model file, `train --format json`,
// `info` and the command line all go through (one table in train_config.cpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "recsys/data/split.hpp"
#include "recsys/train/adam.hpp"

namespace recsys {

// How an epoch orders the training rows. Global: one shuffle of all rows, as
// PyTorch's DataLoader. Blocks: the stratified order of block_grid.hpp, for
// models whose tables and Adam moments do not fit in the cache. Auto picks
// Blocks for sparse adam when the tables and moments are larger than
// kBlocksAbove (trainer.hpp), Global otherwise.
enum class Shuffle { Auto, Global, Blocks };

// What the model learns. Rating: sigmoid(user . movie + biases) fitted to the
// scaled stars (MSE). Choice: which films a user rates at all, every unrated
// film a weighted 0 (choice_trainer.hpp); its scores rank, they are no stars.
enum class Objective { Rating, Choice };

// How Adam's learning rate moves over the epochs: Constant, or Cosine from lr
// at the first epoch down towards 0 at the last (lr_at below).
enum class LrSchedule { Constant, Cosine };

struct TrainConfig {
  // The defaults are the `default` preset of the default objective, choice,
  // chosen by measurement on MovieLens (docs/training.md, "Objectives"). With
  // it every row takes one exact Adam step per epoch whatever the batch, so
  // the batch only sizes the work shared between threads.
  std::string preset = "default";
  Objective objective = Objective::Choice;
  int dim = 64;
  int epochs = 100;
  std::uint64_t batch = 512;
  double lr = 0.02;
  LrSchedule lr_schedule = LrSchedule::Cosine;
  double weight_decay = 10;  // added to the gradient, as torch.optim.Adam
  double init_std = 0.1;
  Adam::Mode optimizer = Adam::Mode::Sparse;  // rating only
  int early_stopping = 0;                     // rating: epochs without a better val MSE; 0 = off
  double min_delta = 0;  // rating: the least share by which val RMSE must fall to restart the count
  double negative_weight = 0.75;  // choice: the weight of each unrated pair's 0
  // Not part of a preset:
  std::uint64_t seed = 42;      // the split, the initial weights and the shuffling
  int threads = 0;              // 0 = all cores; a model file stores the count used
  double val_fraction = 0.1;    // holdout share; 0 when a validation file is given
  Split split = Split::Random;  // which rows the holdout takes; unused with a validation file
  Shuffle shuffle = Shuffle::Auto;
  int block_groups = 0;  // Blocks: user groups; 0 sizes them to the cache

  // A named set of settings for an objective:
  //   default   the settings measured best for the objective (choice when
  //             none is given). For rating a small init lets the biases fit
  //             first; light decay and early stopping stop the overfitting
  //             the notebook's settings show.
  //   notebook  the PyTorch notebook recsys replaces (rating unless another
  //             objective is given): dim 16, batch 64, lr 0.01, N(0, 1)
  //             init, dense adam, 10 epochs.
  //   choice    the same as default with the choice objective.
  // Throws recsys::Error for another name.
  static TrainConfig from_preset(std::string_view name,
                                 std::optional<Objective> objective = std::nullopt);

  // Throws recsys::Error naming the option of the first setting out of range.
  void check() const;
};

// One row of the settings table.
struct SettingInfo {
  std::string_view key;     // model file and JSON key, e.g. "weight_decay"
  std::string_view option;  // command-line option, e.g. "--weight-decay"
  std::string_view help;
  bool in_preset;  // a preset sets it
  // Non-empty for a setting added after files existed without it: the value
  // such a file implies. A model file leaves the setting out when it has this
  // value, so those models keep the bytes they had.
  std::string_view implied_when_absent = {};
};

std::span<const SettingInfo> train_settings();

// The text form of a setting. Exact: as the model file stores it (doubles
// with 17 significant digits, so they read back to the same bits). Short: for
// people (doubles in %g form, e.g. 3e-05).
enum class TextForm { Exact, Short };
std::string setting_text(const TrainConfig& config, std::string_view key,
                         TextForm form = TextForm::Exact);
// Parses one setting (its range is TrainConfig::check's); the error names its
// option. Returns false for a key not in the table (a later version's).
bool set_setting(TrainConfig& config, std::string_view key, std::string_view text);

std::string optimizer_name(Adam::Mode mode);
// "3 (min delta 0.1%)", "3" or "off": the early-stopping settings for people.
std::string early_stopping_text(const TrainConfig& config);
std::string shuffle_name(Shuffle shuffle);
std::string objective_name(Objective objective);
std::string lr_schedule_name(LrSchedule schedule);
std::string split_name(Split split);

// The learning rate of epoch (1-based) under config's schedule: lr itself
// when Constant; lr * (1 + cos(pi * (epoch - 1) / epochs)) / 2 when Cosine.
double lr_at(const TrainConfig& config, int epoch);

class JsonWriter;
// The settings as one JSON object, numbers as numbers.
void write_json(JsonWriter& json, const TrainConfig& config);

}  // namespace recsys
