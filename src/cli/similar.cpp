// recsys similar --movie ID: the movies whose embeddings are closest in angle.
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
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
  std::string out;
  if (o.format == "json") {
    JsonWriter j;
    j.begin_object().field("movieId", o.movie).field("title", m.titles[*movie]);
    j.key("similar").begin_array();
    for (std::size_t r = 0; r < near.size(); ++r) {
      j.begin_object().field("rank", static_cast<int>(r + 1));
      j.field("movieId", m.items.token(near[r].item)).field("title", m.titles[near[r].item]);
      j.field("cosine", static_cast<double>(near[r].score)).end_object();
    }
    j.end_array().end_object();
    out = j.str() + "\n";
  } else if (o.format == "csv") {
    out = "rank,movieId,title,cosine\n";
    for (std::size_t r = 0; r < near.size(); ++r)
      out += std::to_string(r + 1) + "," + csv_field(m.items.token(near[r].item)) + "," +
             csv_field(m.titles[near[r].item]) + "," + fixed(near[r].score, 4) + "\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t r = 0; r < near.size(); ++r)
      rows.push_back({std::to_string(r + 1), m.items.token(near[r].item),
                      m.item_label(near[r].item), fixed(near[r].score, 3), m.genres[near[r].item]});
    out = format_table({"rank", "movieId", "title", "cosine", "genres"}, rows,
                       {true, true, false, true, false});
  }
  write_stdout(out);
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
