// recsys cv RATINGS --folds K: K-fold cross-validation with any train
// option, each fold's figures and their mean and standard deviation.
#include <spdlog/spdlog.h>

#include <cmath>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "options.hpp"
#include "output.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/train/cross_validation.hpp"
#include "setting_options.hpp"

namespace recsys::cli {
namespace {

struct CvOptions {
  std::string ratings, movies, format = "table";
  InputOptions input;
  SettingTexts settings;
  int folds = 5, k = 10;
  double relevant = 4.0;
  bool quiet = false;
};

// The figures a fold reports, by name, in the order of the table.
struct Figure {
  const char* name;
  double (*of)(const FoldReport&);
};

std::vector<Figure> figures(bool stars) {
  std::vector<Figure> out;
  if (stars) {
    out.push_back({"rmse", [](const FoldReport& r) { return r.figures.accuracy.rmse; }});
    out.push_back({"mae", [](const FoldReport& r) { return r.figures.accuracy.mae; }});
  }
  out.push_back({"precision", [](const FoldReport& r) { return r.figures.ranking.precision; }});
  out.push_back({"recall", [](const FoldReport& r) { return r.figures.ranking.recall; }});
  out.push_back({"ndcg", [](const FoldReport& r) { return r.figures.ranking.ndcg; }});
  out.push_back({"hit_rate", [](const FoldReport& r) { return r.figures.ranking.hit_rate; }});
  out.push_back({"map", [](const FoldReport& r) { return r.figures.ranking.map; }});
  out.push_back(
      {"popularity_ndcg", [](const FoldReport& r) { return r.figures.popularity.ranking.ndcg; }});
  return out;
}

// Mean and population standard deviation (as Surprise reports them).
std::pair<double, double> mean_std(const std::vector<FoldReport>& folds, const Figure& f) {
  double sum = 0, squares = 0;
  for (const auto& r : folds) sum += f.of(r);
  const double mean = sum / double(folds.size());
  for (const auto& r : folds) squares += (f.of(r) - mean) * (f.of(r) - mean);
  return {mean, std::sqrt(squares / double(folds.size()))};
}

std::string table(const std::vector<FoldReport>& folds, const std::vector<Figure>& figs) {
  std::vector<std::string> header{"fold", "train_rows", "test_rows", "epochs"};
  for (const auto& f : figs) header.push_back(f.name);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : folds) {
    std::vector<std::string> row{std::to_string(r.fold), std::to_string(r.train_rows),
                                 std::to_string(r.test_rows), std::to_string(r.epochs)};
    for (const auto& f : figs) row.push_back(fixed(f.of(r), 4));
    rows.push_back(row);
  }
  for (const bool is_mean : {true, false}) {
    std::vector<std::string> row{is_mean ? "mean" : "std", "", "", ""};
    for (const auto& f : figs) {
      const auto [mean, sd] = mean_std(folds, f);
      row.push_back(fixed(is_mean ? mean : sd, 4));
    }
    rows.push_back(row);
  }
  return format_table(header, rows, std::vector<bool>(header.size(), true));
}

std::string json(const std::vector<FoldReport>& folds, const std::vector<Figure>& figs,
                 const CrossValidationOptions& cv) {
  JsonWriter j;
  j.begin_object().field("folds_count", cv.folds).field("k", std::uint64_t(cv.metrics.k));
  j.key("folds").begin_array();
  for (const auto& r : folds) {
    j.begin_object()
        .field("fold", r.fold)
        .field("train_rows", std::uint64_t(r.train_rows))
        .field("test_rows", std::uint64_t(r.test_rows))
        .field("epochs", r.epochs)
        .field("seconds", r.seconds);
    for (const auto& f : figs) j.field(f.name, f.of(r));
    j.end_object();
  }
  j.end_array();
  for (const bool is_mean : {true, false}) {
    j.key(is_mean ? "mean" : "std").begin_object();
    for (const auto& f : figs) {
      const auto [mean, sd] = mean_std(folds, f);
      j.field(f.name, is_mean ? mean : sd);
    }
    j.end_object();
  }
  j.key("settings");
  write_json(j, cv.config);
  j.end_object();
  return j.str() + "\n";
}

void run(const CLI::App& cmd, const CvOptions& o) {
  if (o.quiet) spdlog::set_level(spdlog::level::warn);
  CrossValidationOptions cv;
  cv.files.ratings_path = o.ratings;
  cv.files.movies_path = o.movies;
  cv.files.load = load_options(cmd, o.input, {true, true});
  cv.config = resolve_settings(cmd, o.settings);
  cv.folds = o.folds;
  cv.metrics.k = static_cast<std::size_t>(o.k);
  cv.metrics.relevant = o.relevant;
  cv.metrics.beyond = false;
  cv.metrics.threads = cv.config.threads;
  if (cv.config.early_stopping > 0)
    spdlog::info(
        "early stopping is off in cross-validation (it would choose the epoch by the "
        "held-out fold); each fold trains {} epochs",
        cv.config.epochs);
  const bool stars = cv.config.objective == Objective::Rating;
  const auto figs = figures(stars);
  const auto folds = cross_validate(cv, [&](const FoldReport& r) {
    spdlog::info(
        "fold {}/{}: {}ndcg@{} {:.4f}, hit rate {:.3f} ({} test rows, {:.2f} s)", r.fold, o.folds,
        stars ? "rmse " + fixed(r.figures.accuracy.rmse, 4) + ", " : std::string(), o.k,
        r.figures.ranking.ndcg, r.figures.ranking.hit_rate, with_commas(r.test_rows), r.seconds);
  });
  write_stdout(o.format == "json" ? json(folds, figs, cv) : table(folds, figs));
}

}  // namespace

void register_cv(CLI::App& app) {
  auto o = std::make_shared<CvOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cv", "K-fold cross-validation: each fold's accuracy and ranking figures, mean and std");
  cmd->add_option("ratings", o->ratings, "Ratings file (any layout, gzip, or - for stdin)")
      ->required();
  at_least(cmd->add_option("--folds", o->folds, "Number of folds")->capture_default_str(), 2);
  cmd->add_option("--movies", o->movies,
                  "Titles CSV (movieId,title,genres); default: movies.csv beside the ratings");
  at_least(cmd->add_option("-n,--top", o->k, "List length of the ranking figures")
               ->capture_default_str(),
           1);
  require(
      cmd->add_option("--relevant", o->relevant,
                      "A held-out rating of at least this many stars is relevant")
          ->capture_default_str(),
      [](double x) { return std::isfinite(x); }, "must be a number of stars");
  add_input_options(cmd, o->input, "", {true, true});
  add_setting_options(cmd, o->settings);
  add_format_option(cmd, o->format, {"table", "json"});
  cmd->add_flag("-q,--quiet", o->quiet, "Warnings and errors only");
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace recsys::cli
