#include "recsys/data/dataset.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <exception>
#include <span>
#include <thread>

#include "dataset_parts.hpp"
#include "keep_rows.hpp"
#include "recsys/data/movies.hpp"
#include "recsys/data/rated_items.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/thread_parts.hpp"

namespace recsys {
namespace {

std::string sibling_movies_file(const std::string& ratings_path) {
  if (ratings_path == "-") return "";  // standard input sits in no directory
  const auto slash = ratings_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : ratings_path.substr(0, slash + 1);
  return dir + "movies.csv";
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::size_t count_cold_rows(const Ratings& train, const Ratings& val, std::size_t n_users,
                            std::size_t n_items) {
  // Bytes, not bits: a byte store per row instead of a read-modify-write.
  std::vector<std::uint8_t> user_seen(n_users, 0), item_seen(n_items, 0);
  for (std::size_t k = 0; k < train.size(); ++k) {
    user_seen[train.user[k]] = 1;
    item_seen[train.item[k]] = 1;
  }
  std::size_t cold = 0;
  for (std::size_t k = 0; k < val.size(); ++k)
    if (!user_seen[val.user[k]] || !item_seen[val.item[k]]) ++cold;
  return cold;
}

// Both files hold each pair once by now, so the training rows found among
// the validation pairs are as many as the validation rows found among the
// training pairs. The validation file is the one indexed, as it is usually
// the smaller.
std::size_t count_val_rows_in_training(const Dataset& data) {
  return RatedItems::build(data.users.size(), data.val).count_held(data.train);
}

}  // namespace

void warn_duplicates(const std::string& path, std::size_t n, const ColumnNames& cols) {
  if (n > 0)
    spdlog::warn(
        "{}: {} duplicate ({}, {}) rows; kept the last rating of each pair (by line order)", path,
        n, cols.user, cols.item);
}

void warn_val_rows_in_training(const std::string& val_path, std::size_t in_training,
                               std::size_t val_rows) {
  if (in_training > 0)
    spdlog::warn(
        "{}: {} of {} validation rows ({:.1f}%) are also training rows (same user and movie); "
        "the validation figures are then optimistic",
        val_path, in_training, val_rows, 100.0 * double(in_training) / double(val_rows));
}

void check_training_rows(const DatasetOptions& options, std::size_t train_rows,
                         std::size_t val_rows) {
  if (train_rows == 0 && val_rows > 0 && options.val_path.empty())
    throw Error(options.ratings_path, 0,
                "no training rows: all " + std::to_string(val_rows) +
                    " rows went to validation; add rows or lower --val-fraction");
  if (train_rows == 0)
    throw Error(
        options.ratings_path, 0,
        "no training rows: the file has a header but no ratings; add rows below the header");
}

void attach_titles(Dataset& data, const DatasetOptions& options) {
  data.titles.assign(data.items.size(), "");
  data.genres.assign(data.items.size(), "");
  const std::string movies_path =
      options.movies_path.empty() ? sibling_movies_file(options.ratings_path) : options.movies_path;
  if (!options.movies_path.empty() || exists(movies_path)) {
    const auto movies = load_movies(movies_path, options.load.columns.item);
    data.movies_path = movies_path;
    for (std::uint32_t i = 0; i < data.items.size(); ++i) {
      if (auto it = movies.find(data.items.token(i)); it != movies.end()) {
        data.titles[i] = it->second.title;
        data.genres[i] = it->second.genres;
      } else {
        ++data.untitled_items;
      }
    }
  } else if (movies_path.empty()) {
    data.untitled_items = data.items.size();
    spdlog::warn(
        "ratings from standard input: movies will be shown by id (pass --movies FILE "
        "for titles)");
  } else {
    data.untitled_items = data.items.size();
    spdlog::warn("{}: not found; movies will be shown by id (pass --movies FILE for titles)",
                 movies_path);
  }
}

namespace {

// start[u] = the first row of user u, when rows are grouped by user as a file
// sorted by user gives them: indexes are given in order of first appearance,
// so its users come as 0, 1, 2, ... and user u's rows are the run
// [start[u], start[u + 1]) itself. False (start unset) otherwise.
bool runs_of_users(std::span<const std::uint32_t> user, std::vector<std::size_t>& start) {
  const std::size_t n = user.size();
  if (n == 0 || user[0] != 0) return false;
  std::size_t users = 1;  // start[0] = 0 already
  for (std::size_t k = 1; k < n; ++k) {
    if (user[k] == user[k - 1]) continue;
    if (user[k] != user[k - 1] + 1) return false;
    start[users++] = k;
  }
  std::fill(start.begin() + static_cast<std::ptrdiff_t>(users), start.end(), n);
  return true;
}

}  // namespace

std::vector<bool> earlier_duplicates(const Ratings& rows, std::size_t n_users, std::size_t n_items,
                                     int threads) {
  const std::size_t n = rows.size();
  std::vector<bool> drop(n, false);
  if (n < 2) return drop;
  // Rows grouped by user (a counting sort that keeps file order within a
  // user, unless the file is grouped already), then one pass per user with a
  // stamp per item: O(n), and 4 bytes a row of scratch instead of a hash set
  // of pairs.
  std::vector<std::size_t> start(n_users + 1, 0);
  const bool grouped = runs_of_users(rows.user, start);
  std::vector<std::uint32_t> by_user;
  if (!grouped) {
    std::fill(start.begin(), start.end(), 0);
    for (const auto u : rows.user) ++start[u + 1];
    for (std::size_t u = 0; u < n_users; ++u) start[u + 1] += start[u];
    by_user.resize(n);
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < n; ++k)
      by_user[next[rows.user[k]]++] = static_cast<std::uint32_t>(k);
  }
  // Users are independent: each thread takes a run of them holding about
  // an equal share of the rows, with stamps of its own.
  const auto parts = static_cast<std::size_t>(std::clamp(threads, 1, 64));
  const auto first_user = [&](std::size_t part) {
    if (part == parts) return n_users;
    return static_cast<std::size_t>(
        std::lower_bound(start.begin(), start.end() - 1, part * n / parts) - start.begin());
  };
  std::vector<std::vector<std::uint32_t>> found(parts);
  const auto scan_users = [&](std::size_t part) {
    constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    std::vector<std::uint32_t> stamp(n_items, kNone), latest(n_items, 0);
    for (std::size_t u = first_user(part), end = first_user(part + 1); u < end; ++u) {
      for (std::size_t p = start[u]; p < start[u + 1]; ++p) {
        const auto k = grouped ? static_cast<std::uint32_t>(p) : by_user[p];
        const std::uint32_t i = rows.item[k];
        if (stamp[i] == u) found[part].push_back(latest[i]);  // an earlier line of the pair
        stamp[i] = static_cast<std::uint32_t>(u);
        latest[i] = k;
      }
    }
  };
  run_thread_parts_or_throw(parts, scan_users);
  for (const auto& rows_found : found)
    for (const auto k : rows_found) drop[k] = true;
  return drop;
}

std::size_t keep_last_of_duplicates(Ratings& rows, std::size_t n_users, std::size_t n_items,
                                    std::vector<std::int64_t>* timestamps, int threads) {
  const std::vector<bool> drop = earlier_duplicates(rows, n_users, n_items, threads);
  const auto dropped = static_cast<std::size_t>(std::count(drop.begin(), drop.end(), true));
  if (dropped == 0) return 0;
  std::size_t kept = 0;
  keep_rows_if(rows, [&](std::size_t k) {
    if (drop[k]) return false;
    if (timestamps) (*timestamps)[kept++] = (*timestamps)[k];
    return true;
  });
  if (timestamps) timestamps->resize(kept);
  return dropped;
}

Dataset load_dataset(const DatasetOptions& options, HoldOut hold_out) {
  if (options.ratings_path == "-" && options.val_path == "-")
    throw Error("-", 0, "standard input can be read once: give the ratings or --val as a file");
  Dataset data;
  // Duplicate pairs are dropped per file before the split, so that one pair
  // can never be both a training and a validation row.
  // Timestamps are read only for a time split, and freed once it is made.
  const bool by_time = options.val_path.empty() && hold_out.split != Split::Random;
  std::vector<std::int64_t> timestamps;
  if (by_time)
    load_ratings(options.ratings_path, options.load, data.users, data.items, data.train,
                 timestamps);
  else
    load_ratings(options.ratings_path, options.load, data.users, data.items, data.train);
  const std::size_t train_duplicates =
      keep_last_of_duplicates(data.train, data.users.size(), data.items.size(),
                              by_time ? &timestamps : nullptr, options.load.threads);
  warn_duplicates(options.ratings_path, train_duplicates, options.load.columns);
  data.duplicate_rows = train_duplicates;
  data.ratings_file_rows = data.train.size();
  if (options.val_path.empty() && hold_out.fraction == 0) {
    data.timestamps = std::move(timestamps);  // the caller cuts its own folds
  } else if (options.val_path.empty()) {
    switch (hold_out.split) {
      case Split::Random:
        split_in_place(data.train, hold_out.fraction, hold_out.seed, data.val,
                       options.load.threads);
        break;
      case Split::UserTime:
        user_time_split_in_place(data.train, timestamps, hold_out.fraction, data.users.size(),
                                 data.val);
        break;
      case Split::Time:
        time_split_in_place(data.train, timestamps, hold_out.fraction, data.val);
        break;
    }
    std::vector<std::int64_t>().swap(timestamps);
  } else {
    load_ratings(options.val_path, options.load, data.users, data.items, data.val);
    const std::size_t val_duplicates = keep_last_of_duplicates(
        data.val, data.users.size(), data.items.size(), nullptr, options.load.threads);
    warn_duplicates(options.val_path, val_duplicates, options.load.columns);
    data.duplicate_rows += val_duplicates;
    data.val_file_rows = data.val.size();
    data.val_rows_in_training = count_val_rows_in_training(data);
    warn_val_rows_in_training(options.val_path, data.val_rows_in_training, data.val.size());
  }
  check_training_rows(options, data.train.size(), data.val.size());

  if (options.load.range) {
    data.scaler = Scaler::from_range(*options.load.range);
  } else {
    data.scaler = Scaler::fit(data.train, data.val, options.ratings_path);
  }
  // Two independent passes over the rows: the second on another thread.
  std::exception_ptr cold_failed;
  {
    const auto count_cold = [&] {
      try {
        data.cold_val_rows =
            count_cold_rows(data.train, data.val, data.users.size(), data.items.size());
      } catch (...) {
        cold_failed = std::current_exception();
      }
    };
    std::jthread helper;
    if (options.load.threads > 1)
      helper = std::jthread(count_cold);
    else
      count_cold();
    data.stats = ItemStats::compute(data.items.size(), data.train, data.val);
  }
  if (cold_failed) std::rethrow_exception(cold_failed);

  attach_titles(data, options);
  return data;
}

}  // namespace recsys
