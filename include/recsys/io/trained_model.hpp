#pragma once
// Everything one model file holds, so that topn, metrics, project and info
// never need the original CSV files.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "recsys/data/id_map.hpp"
#include "recsys/data/item_stats.hpp"
#include "recsys/data/rated_items.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"

namespace recsys {

struct SourceInfo {
  std::string ratings_path;
  std::uint64_t ratings_bytes = 0;
  std::string val_path;     // "" for a random holdout
  std::string movies_path;  // "" when no titles were found
};

struct TrainedModel {
  // As trained: threads is the count used, val_fraction 0 with a --val file.
  // Until told otherwise it is a rating model, as every file written before
  // the objective setting existed holds one.
  TrainConfig settings = TrainConfig::from_preset("default", Objective::Rating);
  // The model file's format version when loaded (kModelFormatVersion when
  // made in this process): version 1 files did not record shuffle or
  // block_groups, which then hold their defaults.
  std::uint32_t format_version = 0;
  SourceInfo source;
  Scaler scaler;
  IdMap users, items;
  ItemStats stats;
  std::vector<std::string> titles, genres;  // per item index, "" when unknown
  Embeddings tables;
  RatedItems train_rated;       // each user's training items
  Ratings validation;           // held-out rows, raw stars
  RatedItems validation_rated;  // derived from validation by index_validation(), not stored
  // The mean star rating of the training rows (NaN in a version 1 file,
  // where evaluation derives it from the item statistics).
  double training_mean = std::numeric_limits<double>::quiet_NaN();
  std::vector<EpochRecord> history;  // without timings (seconds = 0): same seed, same bytes
  int best_epoch = 0;

  // Whether scores are predicted ratings (the rating objective) or only
  // rank (the choice objective); what a list shows as a movie's score and
  // under which name.
  bool predicts_stars() const { return settings.objective == Objective::Rating; }
  double shown_score(float logit) const {
    return predicts_stars() ? scaler.to_stars(Embeddings::sigmoid(logit)) : double(logit);
  }
  const char* score_name() const { return predicts_stars() ? "score" : "choice_score"; }

  // Display name of an item: its title, or "movieId <id>" without titles.
  std::string item_label(std::uint32_t item) const;
  // Training or validation rating by the user (topn leaves all of them out).
  bool has_rated(std::uint32_t user, std::uint32_t item) const {
    return train_rated.contains(user, item) || validation_rated.contains(user, item);
  }
  void index_validation() { validation_rated = RatedItems::build(users.size(), validation); }
};

}  // namespace recsys
