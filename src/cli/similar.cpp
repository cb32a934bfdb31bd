// recsys similar --movie ID | --title TEXT: the movies whose embeddings are
// closest in angle, among movies with enough training ratings.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "movie_list.hpp"
#include "output.hpp"
#include "recsys/data/title_search.hpp"
#include "recsys/eval/popularity.hpp"
#include "recsys/eval/similar_items.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

// A movie with a handful of ratings keeps much of its random initial
// vector, so its cosine with anything is mostly noise, and such movies (the
// bulk of a catalogue) would crowd out the neighbours a person would name.
// Twenty ratings is also the cut-off `project` uses for its best-rated films.
constexpr int kDefaultMinRatings = 20;

// How many candidates a --title error lists.
constexpr std::size_t kCandidatesShown = 10;

struct SimilarOptions {
  std::string model = "recsys.model", movie, title, format = "table";
  int n = 10;
  int min_ratings = kDefaultMinRatings;
};

std::uint32_t by_id(const TrainedModel& m, const SimilarOptions& o) {
  const auto movie = m.items.find(o.movie);
  if (!movie)
    throw Error(o.model, 0,
                "movie '" + o.movie + "' is not in this model (it knows " +
                    std::to_string(m.items.size()) +
                    " movies, by the movieId of the ratings file)");
  return *movie;
}

// The one movie whose title holds o.title; with several, the most-rated
// are listed so that the wanted one is likely among those shown.
std::uint32_t by_title(const TrainedModel& m, const SimilarOptions& o,
                       const std::vector<std::uint32_t>& counts) {
  if (std::all_of(m.titles.begin(), m.titles.end(), [](const auto& t) { return t.empty(); }))
    throw Error(o.model, 0,
                "this model has no titles (it was trained without a movies file); give --movie ID");
  std::vector<std::uint32_t> found = find_titles(m.titles, o.title);
  if (found.empty())
    throw Error(o.model, 0,
                "no title contains '" + o.title + "' (case ignored); try a shorter part of it");
  if (found.size() == 1) return found.front();
  std::stable_sort(found.begin(), found.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return counts[a] > counts[b]; });
  std::string list;
  for (std::size_t k = 0; k < std::min(found.size(), kCandidatesShown); ++k)
    list += (k ? "; " : "") + m.items.token(found[k]) + " " + m.titles[found[k]];
  if (found.size() > kCandidatesShown)
    list += "; and " + with_commas(found.size() - kCandidatesShown) + " more";
  throw Error(o.model, 0,
              "'" + o.title + "' matches " + with_commas(found.size()) +
                  " titles (movieId title, most rated first): " + list +
                  "; give --movie ID or more of the title");
}

void run(const SimilarOptions& o) {
  if (o.movie.empty() == o.title.empty()) throw Error("give either --movie ID or --title TEXT");
  const TrainedModel m = load_model(o.model);
  const std::vector<std::uint32_t> counts = training_counts(m.train_rated, m.items.size());
  const std::uint32_t movie = o.title.empty() ? by_id(m, o) : by_title(m, o, counts);
  const auto n = static_cast<std::size_t>(o.n);
  const auto min_count = static_cast<std::uint32_t>(o.min_ratings);
  const auto near = similar_items(m.tables, movie, n, {counts, min_count});
  if (near.size() < n)
    spdlog::warn("{}: {} at least {} training ratings; lower --min-ratings for more", o.model,
                 near.empty()       ? std::string("no other movie has")
                 : near.size() == 1 ? std::string("only 1 other movie has")
                                    : "only " + with_commas(near.size()) + " other movies have",
                 o.min_ratings);
  std::vector<ListedMovie> list;
  for (const auto& s : near) list.push_back({s.item, static_cast<double>(s.score)});
  MovieListFormat how{"cosine", 3, "similar", [&](JsonWriter& j) {
                        j.field("movieId", m.items.token(movie)).field("title", m.titles[movie]);
                        j.field("min_ratings", static_cast<std::uint64_t>(min_count));
                      }};
  write_stdout(format_movie_list(m, list, o.format, how));
}

}  // namespace

void register_similar(CLI::App& app) {
  auto o = std::make_shared<SimilarOptions>();
  CLI::App* cmd =
      app.add_subcommand("similar", "Movies nearest to a movie by the cosine of their embeddings");
  cmd->add_option("--movie", o->movie, "The movie's id as in the ratings file (movieId)");
  cmd->add_option("--title", o->title,
                  "Part of the movie's title, case ignored (instead of --movie); several matches "
                  "are listed, not guessed");
  at_least(cmd->add_option("-n,--top", o->n, "How many movies")->capture_default_str(), 1);
  at_least_zero(cmd->add_option("--min-ratings", o->min_ratings,
                                "Neighbours need this many training ratings (0 = any movie)")
                    ->capture_default_str());
  add_format_option(cmd, o->format, {"table", "csv", "json"});
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
