#include "recsys/eval/evaluation.hpp"

#include <cmath>

#include "recsys/eval/genre_calibration.hpp"
#include "recsys/eval/popularity.hpp"

namespace recsys {

double training_mean(const TrainedModel& model) {
  if (!std::isnan(model.training_mean)) return model.training_mean;
  double sum = 0, rows = 0;
  for (std::size_t i = 0; i < model.stats.count.size(); ++i) {
    sum += model.stats.mean[i] * double(model.stats.count[i]);
    rows += double(model.stats.count[i]);
  }
  for (std::size_t k = 0; k < model.validation.size(); ++k) sum -= model.validation.stars[k];
  rows -= double(model.validation.size());
  return rows > 0 ? sum / rows : std::numeric_limits<double>::quiet_NaN();
}

HeldOutRows load_held_out(const TrainedModel& model, const std::string& path,
                          const LoadOptions& options) {
  // Copies, so that ids new to the model get indexes past its tables instead
  // of failing the load; those rows are then dropped.
  IdMap users = model.users, items = model.items;
  Ratings all;
  load_ratings(path, options, users, items, all);
  HeldOutRows out;
  out.rows.reserve(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all.user[r] < model.users.size() && all.item[r] < model.items.size())
      out.rows.push(all.user[r], all.item[r], all.stars[r]);
    else
      ++out.unknown;
  }
  return out;
}

MetricsReport evaluate(const TrainedModel& model, const Ratings& held_out,
                       const MetricsOptions& options) {
  MetricsReport report;
  report.k = options.k;
  report.users = model.tables.n_users;
  report.excluded_rated = !options.include_rated;
  report.eval_rows = held_out.size();
  if (options.accuracy) {
    report.accuracy = accuracy(model.tables, held_out, model.scaler);
    report.training_mean = training_mean(model);
    report.baseline = constant_accuracy(report.training_mean, held_out, model.scaler);
  }
  if (!options.ranking && !options.beyond) return report;

  const std::size_t n_users = model.tables.n_users;
  const RatedItems held_out_items = RatedItems::build(n_users, held_out);
  const bool calibrating = options.calibrate > 0;
  const GenreIndex genres =
      calibrating ? GenreIndex::required(model.genres) : GenreIndex(model.genres);
  std::vector<TopNRequest> requests;
  TopNRequest shown{options.k, {}, nullptr};
  TopNRequest ranked{options.k, {}, nullptr};
  if (!options.include_rated) {
    shown.exclude = {&model.train_rated, &model.validation_rated};
    ranked.exclude = shown.exclude;
    ranked.keep = &held_out_items;
  }
  const bool same_lists = options.include_rated;
  if (options.beyond) requests.push_back(shown);
  if (options.ranking && !(same_lists && options.beyond)) requests.push_back(ranked);
  // Calibration picks each list from a longer one of the model's best.
  std::vector<TopNRequest> pools = requests;
  if (calibrating)
    for (auto& req : pools) req.k = calibration_pool(options.k);
  std::vector<TopNLists> lists = top_n_all(model.tables, pools, options.threads);
  if (calibrating)
    for (auto& l : lists)
      l = calibrate_lists(l, genres, model.train_rated, options.k, options.calibrate);
  const std::vector<TopNLists> popular =
      popularity_lists(training_counts(model.train_rated, model.tables.n_items), n_users, requests);

  PerUserFigures* per_user = options.per_user ? &report.per_user : nullptr;
  if (per_user) {
    per_user->held_out_rows.assign(n_users, 0);
    for (const auto u : held_out.user)
      if (u < n_users) ++per_user->held_out_rows[u];
  }
  if (options.beyond) {
    report.beyond = beyond_accuracy(lists.front(), model.tables, model.stats, model.users.size(),
                                    per_user ? &per_user->lists : nullptr);
    report.popularity.beyond =
        beyond_accuracy(popular.front(), model.tables, model.stats, model.users.size());
    if (options.calibration && genres.any()) {
      report.beyond.miscalibration = mean_miscalibration(lists.front(), genres, model.train_rated);
      report.popularity.beyond.miscalibration =
          mean_miscalibration(popular.front(), genres, model.train_rated);
    }
  }
  if (options.ranking) {
    const RatedItems relevant = relevant_items(held_out, n_users, options.relevant);
    report.ranking =
        ranking_metrics(lists.back(), relevant, per_user ? &per_user->ranking : nullptr);
    report.popularity.ranking = ranking_metrics(popular.back(), relevant);
  }
  return report;
}

}  // namespace recsys
