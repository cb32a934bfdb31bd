// recsys similar --movie ID: the movies whose embeddings are closest in angle.
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "movie_list.hpp"
#include "output.hpp"
#include "recsys/eval/similar_items.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

struct SimilarOptions {
  std::string model = "recsys.model", movie, format = "table";
  int n = 10;
};

void run(const SimilarOptions& o) {
  const TrainedModel m = load_model(o.model);
  const auto movie = m.items.find(o.movie);
  if (!movie)
    throw Error(o.model, 0,
                "movie '" + o.movie + "' is not in this model (it knows " +
                    std::to_string(m.items.size()) +
                    " movies, by the movieId of the ratings file)");
  const auto near = similar_items(m.tables, *movie, static_cast<std::size_t>(o.n));
  std::vector<ListedMovie> list;
  for (const auto& s : near) list.push_back({s.item, static_cast<double>(s.score)});
  MovieListFormat how{"cosine", 3, "similar", [&](JsonWriter& j) {
                        j.field("movieId", o.movie).field("title", m.titles[*movie]);
                      }};
  write_stdout(format_movie_list(m, list, o.format, how));
}

}  // namespace

void register_similar(CLI::App& app) {
  auto o = std::make_shared<SimilarOptions>();
  CLI::App* cmd =
      app.add_subcommand("similar", "Movies nearest to a movie by the cosine of their embeddings");
  cmd->add_option("--movie", o->movie, "The movie's id as in the ratings file (movieId)")
      ->required();
  at_least(cmd->add_option("-n,--top", o->n, "How many movies")->capture_default_str(), 1);
  add_format_option(cmd, o->format, {"table", "csv", "json"});
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
