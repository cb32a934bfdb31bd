// recsys metrics: every user's top-k, then accuracy, ranking and
// beyond-accuracy figures of a model, as a table or one JSON object.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/eval/per_user_csv.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/io/atomic_file.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

struct MetricsCliOptions {
  std::string model = "recsys.model", format = "table", ratings, per_user;
  InputOptions input;  // of --ratings
  int k = 10, threads = 0;
  double relevant = 4.0, calibrate = 0;
  bool include_rated = false;
  bool accuracy = false, ranking = false, diversity = false, novelty = false, popularity = false,
       coverage = false, calibration = false;
};

// "n/a" where a figure has no data (NaN), so a table never shows "nan".
std::string number(double x, int decimals) { return std::isfinite(x) ? fixed(x, decimals) : "n/a"; }

// The selected ranking and beyond-accuracy figures of one recommender's
// lists. The user counts belong with the model's figures only: the yardstick
// is scored on the same users and its lists have the same lengths.
void write_list_figures(JsonWriter& j, const MetricsCliOptions& o, const RankingMetrics& g,
                        const BeyondAccuracy& b, bool with_user_counts) {
  if (o.ranking) {
    if (with_user_counts)
      j.field("relevant", o.relevant).field("ranking_users", static_cast<std::uint64_t>(g.users));
    j.field("precision_at_k", g.precision).field("recall_at_k", g.recall);
    j.field("ndcg_at_k", g.ndcg).field("hit_rate_at_k", g.hit_rate).field("map_at_k", g.map);
  }
  if (o.diversity) {
    j.field("diversity", b.diversity);
    if (with_user_counts) j.field("diversity_users", static_cast<std::uint64_t>(b.diversity_lists));
  }
  if (o.novelty)
    j.field("novelty", b.novelty).field("mean_rating_of_recommended", b.mean_rating_of_recommended);
  if (o.popularity) j.field("mean_popularity", b.mean_popularity);
  if (o.coverage) {
    j.field("coverage", b.coverage).field("gini", b.gini);
    j.field("distinct_recommended", static_cast<std::uint64_t>(b.distinct));
  }
  if (o.calibration) j.field("miscalibration", b.miscalibration);
}

// Held-out rows that are also training rows of the model score answers it
// was fitted to: said, as the figures cannot be trusted then.
void warn_training_rows(const TrainedModel& m, const Ratings& held_out,
                        const MetricsCliOptions& o) {
  const std::size_t seen = m.train_rated.count_held(held_out);
  if (seen == 0) return;
  spdlog::warn(
      "{}: {} of {} {}rows ({:.1f}%) are training rows of the model (same user and movie); the "
      "figures are then optimistic",
      o.ratings.empty() ? o.model : o.ratings, with_commas(seen), with_commas(held_out.size()),
      o.ratings.empty() ? "validation " : "", 100.0 * double(seen) / double(held_out.size()));
}

void run(const CLI::App& cmd, MetricsCliOptions o) {
  // No figure named: all of them.
  if (!(o.accuracy || o.ranking || o.diversity || o.novelty || o.popularity || o.coverage ||
        o.calibration))
    o.accuracy = o.ranking = o.diversity = o.novelty = o.popularity = o.coverage = o.calibration =
        true;

  // A bad --per-user path fails now, not after the work.
  if (!o.per_user.empty()) check_writable(o.per_user);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const TrainedModel m = load_model(o.model);
  Ratings test_rows;
  const Ratings* held_out = &m.validation;
  if (!o.ratings.empty()) {
    const LoadOptions load = load_options(cmd, o.input, {true, false});
    HeldOutRows h = load_held_out(m, o.ratings, load);
    if (h.unknown > 0)
      spdlog::warn(
          "{}: {} of {} rows have a user or movie this model does not know; they are left out",
          o.ratings, with_commas(h.unknown), with_commas(h.unknown + h.rows.size()));
    test_rows = std::move(h.rows);
    held_out = &test_rows;
  }
  warn_training_rows(m, *held_out, o);
  const auto loaded = Clock::now();

  if (o.accuracy && !m.predicts_stars()) {
    // A choice score ranks; it is no rating, so RMSE and MAE would mean nothing.
    spdlog::info("{}: objective {}: no accuracy figures (its scores are not ratings)", o.model,
                 objective_name(m.settings.objective));
    o.accuracy = false;
  }
  MetricsOptions options;
  options.k = static_cast<std::size_t>(o.k);
  options.include_rated = o.include_rated;
  options.relevant = o.relevant;
  options.accuracy = o.accuracy;
  options.ranking = o.ranking;
  options.beyond = o.diversity || o.novelty || o.popularity || o.coverage || o.calibration;
  options.threads = o.threads;
  options.calibrate = o.calibrate;
  options.calibration = o.calibration;
  // The file holds every per-user figure whichever are selected for stdout.
  options.per_user = !o.per_user.empty();
  options.ranking = options.ranking || options.per_user;
  options.beyond = options.beyond || options.per_user;
  const MetricsReport r = evaluate(m, *held_out, options);
  if (options.per_user) write_file_atomically(o.per_user, per_user_csv(r.per_user, m.users));
  const auto done = Clock::now();
  spdlog::info("{} users x {} movies, top {}: loaded in {:.3f} s, figures in {:.3f} s ({} kernels)",
               with_commas(m.users.size()), with_commas(m.items.size()), o.k,
               std::chrono::duration<double>(loaded - start).count(),
               std::chrono::duration<double>(done - loaded).count(), kernels::active().name);
  const std::string source = o.ratings.empty() ? "validation" : o.ratings;

  if (o.format == "json") {
    JsonWriter j;
    j.begin_object().field("k", static_cast<std::uint64_t>(r.k));
    j.field("users", static_cast<std::uint64_t>(r.users)).field("excluded_rated", r.excluded_rated);
    if (o.accuracy || o.ranking)
      j.field("eval", source).field("eval_rows", static_cast<std::uint64_t>(r.eval_rows));
    if (o.accuracy) {
      j.field("rmse", r.accuracy.rmse).field("mae", r.accuracy.mae);
      j.field("baseline_rmse", r.baseline.rmse).field("baseline_mae", r.baseline.mae);
      j.field("training_mean", r.training_mean);
    }
    write_list_figures(j, o, r.ranking, r.beyond, true);
    if (o.calibrate > 0) j.field("calibrate", o.calibrate);
    if (o.ranking || options.beyond) {
      j.key("baselines").begin_object().key("popularity").begin_object();
      write_list_figures(j, o, r.popularity.ranking, r.popularity.beyond, false);
      j.end_object().end_object();
    }
    j.end_object();
    write_stdout(j.str() + "\n");
    return;
  }

  const std::string k = std::to_string(r.k);
  std::vector<std::vector<std::string>> rows = {
      {"k", k, "list length"},
      {"users", with_commas(r.users),
       r.excluded_rated ? "each with a top-" + k + " list of movies they have not rated"
                        : "each with a top-" + k + " list, rated movies included"},
  };
  if (o.accuracy) {
    const std::string on =
        with_commas(r.eval_rows) + " " + (o.ratings.empty() ? "validation" : "test") + " rows";
    rows.push_back({"rmse", number(r.accuracy.rmse, 4), "stars, on " + on});
    rows.push_back({"mae", number(r.accuracy.mae, 4), "stars, on " + on});
    rows.push_back(
        {"baseline_rmse", number(r.baseline.rmse, 4),
         "stars, predicting the training mean (" + number(r.training_mean, 3) + ") for every row"});
  }
  // The popularity column: the yardstick's value of each ranking and
  // beyond-accuracy figure, "-" on the rows it has none for.
  std::vector<std::string> yardstick;
  const auto list_figure = [&](std::string name, double value, double popular, int decimals,
                               std::string what) {
    yardstick.resize(rows.size(), "-");
    yardstick.push_back(number(popular, decimals));
    rows.push_back({std::move(name), number(value, decimals), std::move(what)});
  };
  if (o.ranking) {
    const RankingMetrics &g = r.ranking, &p = r.popularity.ranking;
    const std::string who = "over " + with_commas(g.users) + " users with a " + source +
                            " rating >= " + number(o.relevant, 1);
    list_figure("precision_at_k", g.precision, p.precision, 4,
                "relevant movies in the list / k, " + who);
    list_figure("recall_at_k", g.recall, p.recall, 4,
                "relevant movies in the list / the user's relevant movies");
    list_figure("ndcg_at_k", g.ndcg, p.ndcg, 4,
                "discounted cumulative gain / its best possible value");
    list_figure("hit_rate_at_k", g.hit_rate, p.hit_rate, 4,
                "share of users with a relevant movie in the list");
    list_figure("map_at_k", g.map, p.map, 4, "mean average precision");
  }
  const BeyondAccuracy &b = r.beyond, &p = r.popularity.beyond;
  if (o.diversity)
    list_figure("diversity", b.diversity, p.diversity, 4,
                "mean (1 - cosine) of the embeddings of each list's pairs");
  if (o.novelty) {
    list_figure("novelty", b.novelty, p.novelty, 3,
                "bits: mean -log2(ratings of the movie / users)");
    list_figure("mean_rating_of_recommended", b.mean_rating_of_recommended,
                p.mean_rating_of_recommended, 4,
                "stars: mean rating of the listed movies (the notebook's \"Novelty\")");
  }
  if (o.popularity)
    list_figure("mean_popularity", b.mean_popularity, p.mean_popularity, 1,
                "ratings of a recommended movie, on average");
  if (o.coverage) {
    list_figure("coverage", b.coverage, p.coverage, 4,
                with_commas(b.distinct) + " of " + with_commas(m.items.size()) +
                    " movies appear in some list");
    list_figure("gini", b.gini, p.gini, 4,
                "how unevenly movies are recommended: 0 even, 1 one movie only");
  }
  if (o.calibration)
    list_figure(
        "miscalibration", b.miscalibration, p.miscalibration, 4,
        "KL of each user's genre mix from their list's (0: the same mix)" +
            std::string(o.calibrate > 0 ? ", lists calibrated with lambda " + number(o.calibrate, 2)
                                        : ""));
  yardstick.resize(rows.size(), "-");
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i].insert(rows[i].begin() + 2, std::move(yardstick[i]));
  write_stdout(format_table({"figure", "value", "popularity", "what it is"}, rows,
                            {false, true, true, false}));
}

}  // namespace

void register_metrics(CLI::App& app) {
  auto o = std::make_shared<MetricsCliOptions>();
  CLI::App* cmd = app.add_subcommand("metrics",
                                     "Accuracy, ranking and beyond-accuracy figures of every "
                                     "user's top-k (all figures unless some are named)");
  add_model_option(cmd, o->model);
  CLI::Option* top =
      at_least(cmd->add_option("-n,--top", o->k, "List length (the k of the figures)")
                   ->capture_default_str(),
               1);
  at_least(add_deprecated_alias(cmd, "-k", o->k, top), 1);
  cmd->add_flag("--include-rated", o->include_rated,
                "Keep movies the user already rated in the lists (the notebook's other variant)");
  require(
      cmd->add_option("--relevant", o->relevant,
                      "A held-out rating of at least this many stars is relevant")
          ->capture_default_str(),
      [](double x) { return std::isfinite(x); }, "must be a number of stars");
  cmd->add_option("--ratings", o->ratings,
                  "Evaluate accuracy and ranking on this ratings CSV (a test set) instead of the "
                  "validation rows");
  cmd->add_option("--per-user", o->per_user,
                  "Also write each user's figures to this CSV file (columns: docs/metrics.md)");
  add_input_options(cmd, o->input, "--ratings", {true, false});
  require(
      cmd->add_option("--threads", o->threads, "Worker threads (0 = all cores)")
          ->capture_default_str(),
      [](double x) { return x >= 0 && x <= 1024; }, "must be between 0 (all cores) and 1024");
  cmd->add_flag("--accuracy", o->accuracy, "rmse, mae, baseline_rmse");
  cmd->add_flag("--ranking", o->ranking,
                "precision_at_k, recall_at_k, ndcg_at_k, hit_rate_at_k, map_at_k");
  cmd->add_flag("--diversity", o->diversity, "diversity (intra-list)");
  cmd->add_flag("--novelty", o->novelty, "novelty (self-information), mean_rating_of_recommended");
  cmd->add_flag("--popularity", o->popularity, "mean_popularity");
  cmd->add_flag("--coverage", o->coverage, "coverage, gini");
  cmd->add_flag("--calibration", o->calibration,
                "miscalibration: how far each list's genre mix is from the user's (needs genres)");
  add_calibrate_option(cmd, o->calibrate, "default 0");
  add_format_option(cmd, o->format, {"table", "json"});
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace recsys::cli
