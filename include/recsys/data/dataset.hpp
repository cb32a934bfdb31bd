#pragma once
// Everything `train` needs from disk: ratings split into training and
// validation rows, the id maps, the scaler, per-item stats and titles.
#include <cstdint>
#include <string>
#include <vector>

#include "recsys/data/id_map.hpp"
#include "recsys/data/item_stats.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/data/split.hpp"

namespace recsys {

struct DatasetOptions {
  std::string ratings_path;
  std::string val_path;  // a second ratings file as validation; empty: a random holdout
  LoadOptions load;
  std::string movies_path;  // empty: movies.csv beside the ratings file, if present
};

struct Dataset {
  IdMap users, items;  // over training then validation rows, in order of first appearance
  Ratings train, val;
  // Each training row's timestamp, kept only when a time split held out
  // nothing (cross-validation then cuts its own folds by time).
  std::vector<std::int64_t> timestamps;
  Scaler scaler;  // fitted on training and validation rows together, as the notebook
  ItemStats stats;
  std::vector<std::string> titles, genres;  // per item index; empty when unknown
  std::string movies_path;                  // the titles file used, "" when none
  std::size_t ratings_file_rows = 0;        // rows read from each file, after duplicates
  std::size_t val_file_rows = 0;            // 0 without a validation file
  std::size_t cold_val_rows = 0;  // validation rows whose user or item has no training row
  // Rows of a validation file whose (user, item) pair is also a training row:
  // the model has seen their answers. 0 for a holdout, which never repeats a pair.
  std::size_t val_rows_in_training = 0;
  std::size_t untitled_items = 0;
  std::size_t duplicate_rows = 0;  // rows dropped by keep_last_of_duplicates, over both files
};

Dataset load_dataset(const DatasetOptions& options, HoldOut hold_out = {});

// The titles and genres of data's movies from the movies file (options', or
// the movies.csv beside the ratings), warning when there is none; the last
// step of load_dataset.
void attach_titles(Dataset& data, const DatasetOptions& options);

// The duplicate policy: when one file rates the same (user, item) pair on
// several lines, the last line wins (a later line is taken as a correction)
// and the earlier ones are dropped; the rest keep file order. Returns how
// many rows were dropped; load_dataset applies it to each file and warns.
// timestamps, when given, are the rows' own and are kept or dropped with them.
// threads: how many threads look for the pairs (by users; the result is the same).
std::size_t keep_last_of_duplicates(Ratings& rows, std::size_t n_users, std::size_t n_items,
                                    std::vector<std::int64_t>* timestamps = nullptr,
                                    int threads = 1);
// Which rows that policy drops: true for each earlier line of a repeated pair.
std::vector<bool> earlier_duplicates(const Ratings& rows, std::size_t n_users, std::size_t n_items,
                                     int threads = 1);

}  // namespace recsys
