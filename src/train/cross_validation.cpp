#include "recsys/train/cross_validation.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>
#include <thread>

#include "recsys/train/fit.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

// The k-th of `folds` equal runs of n positions.
std::uint32_t run_of(std::size_t position, std::size_t n, int folds) {
  return static_cast<std::uint32_t>(position * std::size_t(folds) / std::max<std::size_t>(n, 1));
}

// Row indexes in time order, ties in file order.
std::vector<std::size_t> by_time(std::vector<std::size_t> rows,
                                 const std::vector<std::int64_t>& timestamps) {
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return timestamps[a] < timestamps[b]; });
  return rows;
}

// One fold's data: the base's maps, scale and titles, its rows split by fold.
Dataset fold_data(const Dataset& base, const std::vector<std::uint32_t>& fold_of,
                  std::uint32_t fold) {
  Dataset d;
  d.users = base.users;
  d.items = base.items;
  d.scaler = base.scaler;
  d.stats = base.stats;
  d.titles = base.titles;
  d.genres = base.genres;
  d.movies_path = base.movies_path;
  const Ratings& rows = base.train;
  for (std::size_t r = 0; r < rows.size(); ++r)
    (fold_of[r] == fold ? d.val : d.train).push(rows.user[r], rows.item[r], rows.stars[r]);
  d.ratings_file_rows = rows.size();
  return d;
}

}  // namespace

std::vector<std::uint32_t> assign_folds(const Ratings& rows,
                                        const std::vector<std::int64_t>& timestamps, Split split,
                                        int folds, std::uint64_t seed, std::size_t n_users) {
  const std::size_t n = rows.size();
  std::vector<std::uint32_t> fold_of(n, 0);
  if (split == Split::Random) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    Rng rng(seed);
    for (std::size_t k = n; k > 1; --k) std::swap(order[k - 1], order[rng.below(k)]);
    for (std::size_t p = 0; p < n; ++p) fold_of[order[p]] = static_cast<std::uint32_t>(p % folds);
    return fold_of;
  }
  if (timestamps.size() != n) throw Error("cross-validation by time needs the ratings' timestamps");
  if (split == Split::Time) {
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t(0));
    const auto ordered = by_time(std::move(all), timestamps);
    for (std::size_t p = 0; p < n; ++p) fold_of[ordered[p]] = run_of(p, n, folds);
    return fold_of;
  }
  std::vector<std::vector<std::size_t>> of_user(n_users);
  for (std::size_t r = 0; r < n; ++r) of_user[rows.user[r]].push_back(r);
  for (auto& user_rows : of_user) {
    const auto ordered = by_time(std::move(user_rows), timestamps);
    for (std::size_t p = 0; p < ordered.size(); ++p)
      fold_of[ordered[p]] = run_of(p, ordered.size(), folds);
  }
  return fold_of;
}

std::vector<FoldReport> cross_validate(const CrossValidationOptions& options,
                                       const std::function<void(const FoldReport&)>& on_fold) {
  if (options.folds < 2) throw Error("--folds must be at least 2");
  TrainConfig config = options.config;
  config.early_stopping = 0;
  config.check();
  DatasetOptions files = options.files;
  files.val_path.clear();
  files.load.threads = config.threads > 0
                           ? config.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const Dataset base = load_dataset(files, {0.0, config.seed, config.split});
  if (base.train.size() < std::size_t(options.folds))
    throw Error(files.ratings_path, 0,
                std::to_string(base.train.size()) + " ratings cannot make " +
                    std::to_string(options.folds) + " folds; lower --folds");
  const auto fold_of = assign_folds(base.train, base.timestamps, config.split, options.folds,
                                    config.seed, base.users.size());
  const SourceInfo source{files.ratings_path, 0, "", base.movies_path};

  std::vector<FoldReport> reports;
  for (int k = 0; k < options.folds; ++k) {
    const auto start = std::chrono::steady_clock::now();
    FitResult f = fit(fold_data(base, fold_of, std::uint32_t(k)), config, {}, source);
    f.model.index_validation();
    FoldReport r;
    r.fold = k + 1;
    r.train_rows = f.train_rows;
    r.test_rows = f.model.validation.size();
    r.epochs = static_cast<int>(f.report.history.size());
    MetricsOptions metrics = options.metrics;
    metrics.accuracy = f.model.predicts_stars();
    r.figures = evaluate(f.model, f.model.validation, metrics);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (on_fold) on_fold(r);
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace recsys
