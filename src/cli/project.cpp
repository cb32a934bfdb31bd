// recsys project: a 2-D map of the best-rated films' embeddings, as CSV on
// stdout and, on request, as a labelled SVG or PNG scatter plot.
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <set>

#include "commands.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "project_plot.hpp"
#include "recsys/eval/best_rated.hpp"
#include "recsys/io/atomic_file.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"
#include "recsys/viz/pca.hpp"
#include "recsys/viz/svg_to_png.hpp"
#include "recsys/viz/tsne.hpp"

namespace recsys::cli {
namespace {

struct ProjectOptions {
  std::string model = "recsys.model", rank_by = "mean", method = "pca", fit = "selected";
  std::string svg, png, color_by = "none";
  std::vector<std::string> ids;
  std::string ids_option = "--ids";  // or --movies, its old name, in errors
  int top = 30, min_ratings = 20, iterations = 1000;
  double perplexity = 0;
  std::uint64_t seed = 42;
};

std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int k = static_cast<int>(s.size()) - 3; k > 0; k -= 3)
    s.insert(static_cast<std::size_t>(k), ",");
  return s;
}

// Projections take from microseconds (PCA of 30 films) to seconds (t-SNE of thousands).
std::string duration(double seconds) {
  return seconds < 1 ? fixed(seconds * 1000, 2) + " ms" : fixed(seconds, 2) + " s";
}

std::vector<std::uint32_t> select_films(const TrainedModel& m, const ProjectOptions& o,
                                        std::string& what) {
  std::vector<std::uint32_t> chosen;
  if (!o.ids.empty()) {
    std::set<std::uint32_t> seen;
    for (const auto& id : o.ids) {
      const auto item = m.items.find(id);
      if (!item)
        throw Error(o.model, 0,
                    o.ids_option + ": movieId '" + id + "' is not in this model (it knows " +
                        std::to_string(m.items.size()) + " movies)");
      if (seen.insert(*item).second) chosen.push_back(*item);
    }
    what = std::to_string(chosen.size()) + " chosen films";
    return chosen;
  }
  const RankBy rank_by = parse_rank_by(o.rank_by);
  const Ranking ranking =
      rank_films(m.stats, m.items, rank_by, static_cast<std::uint32_t>(o.min_ratings));
  if (rank_by == RankBy::Damped)
    spdlog::info("ranking {} rated films by damped mean (m = {}, global mean {:.3f} stars)",
                 thousands(ranking.films.size()), o.min_ratings, ranking.global_mean);
  else
    spdlog::info("{} films have at least {} ratings", thousands(ranking.films.size()),
                 o.min_ratings);
  if (ranking.films.empty())
    throw Error(
        o.model, 0,
        "no film has at least " + std::to_string(o.min_ratings) + " ratings; lower --min-ratings");
  for (std::size_t k = 0; k < ranking.films.size() && k < static_cast<std::size_t>(o.top); ++k)
    chosen.push_back(ranking.films[k].item);
  const std::string n = std::to_string(chosen.size());
  if (rank_by == RankBy::Mean)
    what = "Top " + n + " films by mean rating (at least " + std::to_string(o.min_ratings) +
           " ratings)";
  else if (rank_by == RankBy::Damped)
    what = "Top " + n + " films by damped mean rating (prior of " + std::to_string(o.min_ratings) +
           " ratings at the global mean)";
  else
    what = "The " + n + " most rated films";
  return chosen;
}

Eigen::MatrixXd embedding_rows(const TrainedModel& m, const std::vector<std::uint32_t>& items) {
  const int dim = m.tables.dim;
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(items.size()), dim);
  for (std::size_t r = 0; r < items.size(); ++r) {
    const float* v = m.tables.item_row(items[r]);
    for (int k = 0; k < dim; ++k) rows(static_cast<Eigen::Index>(r), k) = v[k];
  }
  return rows;
}

std::string percent(double share) { return fixed(100 * share, 1) + "%"; }

Projection project_pca(const TrainedModel& m, const std::vector<std::uint32_t>& chosen,
                       const Eigen::MatrixXd& selected, const ProjectOptions& o) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Pca pca;
  std::string fitted_on;
  if (o.fit == "all") {
    // Films with no training rating kept their random initial vectors; they
    // would only add noise to the axes.
    std::vector<std::uint8_t> trained(m.items.size(), 0);
    for (const std::uint32_t i : m.train_rated.items) trained[i] = 1;
    std::vector<std::uint32_t> all;
    for (std::uint32_t i = 0; i < m.items.size(); ++i)
      if (trained[i]) all.push_back(i);
    pca = Pca::fit(embedding_rows(m, all), 2);
    fitted_on = "all " + thousands(all.size()) + " films with training ratings";
  } else {
    pca = Pca::fit(selected, 2);
    fitted_on = "the " + std::to_string(chosen.size()) + " selected films";
  }
  Projection p;
  p.points = pca.project(selected);
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  spdlog::info(
      "PCA fitted on {} (dim {}): PC1 explains {} of the variance, PC2 {} (together {}); {}",
      fitted_on, m.tables.dim, percent(pca.explained(0)), percent(pca.explained(1)),
      percent(pca.explained(0) + pca.explained(1)), duration(s));
  p.x_label = "PC1 (" + percent(pca.explained(0)) + " of the variance)";
  p.y_label = "PC2 (" + percent(pca.explained(1)) + " of the variance)";
  p.method_text = "PCA fitted on " + fitted_on;
  return p;
}

Projection project_tsne(const Eigen::MatrixXd& selected, const ProjectOptions& o) {
  TsneOptions t;
  t.perplexity = o.perplexity > 0 ? o.perplexity
                                  : default_perplexity(static_cast<std::size_t>(selected.rows()));
  t.seed = o.seed;
  t.iterations = o.iterations;
  t.exaggeration_iterations = std::min(t.exaggeration_iterations, o.iterations / 4);
  const auto start = std::chrono::steady_clock::now();
  const TsneResult r = tsne_2d(selected, t);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info(
      "t-SNE of {} films (dim {}), perplexity {:.3g}, seed {}, {} iterations: final KL divergence "
      "{:.4f}; {}",
      selected.rows(), selected.cols(), t.perplexity, t.seed, r.iterations, r.kl_divergence,
      duration(s));
  Projection p;
  p.points = r.points;
  p.x_label = "t-SNE 1";
  p.y_label = "t-SNE 2";
  p.method_text = "exact t-SNE, perplexity " + fixed(t.perplexity, 1) + ", seed " +
                  std::to_string(t.seed) + ", KL divergence " + fixed(r.kl_divergence, 3);
  return p;
}

void run(const ProjectOptions& o) {
  if (o.method == "tsne" && o.fit != "selected")
    throw Error("--fit applies to --method pca only (t-SNE always maps the selected films)");
  // Checked before any work, so a missing converter or a mistyped directory
  // costs nothing.
  if (!o.png.empty() && !find_program(kSvgConverter))
    throw Error(std::string("--png needs ") + kSvgConverter +
                ", which is not on PATH: apt-get install " + kSvgConverterPackage +
                " (or use --svg FILE and convert the SVG yourself)");
  for (const std::string& path : {o.svg, o.png})
    if (!path.empty()) check_writable(path);

  const TrainedModel m = load_model(o.model);
  std::string what;
  const std::vector<std::uint32_t> chosen = select_films(m, o, what);
  const Eigen::MatrixXd selected = embedding_rows(m, chosen);
  const Projection p =
      o.method == "tsne" ? project_tsne(selected, o) : project_pca(m, chosen, selected, o);

  std::string csv = "movieId,title,mean_rating,n_ratings,x,y\n";
  for (std::size_t r = 0; r < chosen.size(); ++r) {
    const std::uint32_t i = chosen[r];
    const auto row = static_cast<Eigen::Index>(r);
    csv += csv_field(m.items.token(i)) + "," + csv_field(m.titles[i]) + "," +
           fixed(m.stats.mean[i], 4) + "," + std::to_string(m.stats.count[i]) + "," +
           fixed(p.points(row, 0), 6) + "," + fixed(p.points(row, 1), 6) + "\n";
  }
  // The plot files first: should one fail after all (a full disk), no CSV
  // has gone out to suggest the command worked.
  if (!o.svg.empty() || !o.png.empty()) write_plot(m, chosen, p, what, {o.svg, o.png, o.color_by});
  write_stdout(csv);
}

}  // namespace

void register_project(CLI::App& app) {
  auto o = std::make_shared<ProjectOptions>();
  CLI::App* cmd = app.add_subcommand(
      "project",
      "2-D map of the best-rated films' embeddings: CSV on stdout, optionally an SVG/PNG plot");
  at_least(cmd->add_option("-n,--top", o->top, "How many films to project")->capture_default_str(),
           1);
  at_least_zero(
      cmd->add_option("--min-ratings", o->min_ratings,
                      "Films need this many ratings (train + validation) to rank; the prior "
                      "weight for --rank-by damped")
          ->capture_default_str());
  cmd->add_option(
         "--rank-by", o->rank_by,
         "mean (mean raw rating) | damped ((n*mean + m*global mean)/(n + m), m = --min-ratings, no "
         "cut-off) | count")
      ->check(CLI::IsMember({"mean", "damped", "count"}))
      ->capture_default_str();
  CLI::Option* ids =
      cmd->add_option("--ids", o->ids,
                      "Project these movieIds (comma-separated) instead of the top films")
          ->delimiter(',');
  // --movies names the movies.csv titles file, as in train.
  add_deprecated_alias(cmd, "--movies", o->ids, ids, "a list of ids")
      ->delimiter(',')
      ->each([o](const std::string&) { o->ids_option = "--movies"; });
  cmd->add_option("--method", o->method,
                  "pca | tsne (exact t-SNE; fine up to a few thousand films)")
      ->check(CLI::IsMember({"pca", "tsne"}))
      ->capture_default_str();
  cmd->add_option("--fit", o->fit, "PCA axes from the selected films or from all films")
      ->check(CLI::IsMember({"selected", "all"}))
      ->capture_default_str();
  require(
      cmd->add_option("--perplexity", o->perplexity,
                      "t-SNE perplexity (default: min(30, (films - 1) / 3))"),
      [](double x) { return x >= 0; }, "must be positive (or 0 for the default)");
  at_least(
      cmd->add_option("--iterations", o->iterations, "t-SNE iterations")->capture_default_str(), 1);
  cmd->add_option("--seed", o->seed, "t-SNE seed for the initial positions")->capture_default_str();
  cmd->add_option("--svg", o->svg, "Write a labelled scatter plot as SVG");
  cmd->add_option(
         "--color-by", o->color_by,
         "none | genre (colour each point by the first genre movies.csv lists, with a legend)")
      ->check(CLI::IsMember({"none", "genre"}))
      ->capture_default_str();
  cmd->add_option("--png", o->png,
                  "Write the plot as PNG (needs rsvg-convert, Debian package librsvg2-bin)");
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
