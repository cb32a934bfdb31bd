// recsys topn --user ID: a user's best movies they have not rated.
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/eval/recommender.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"
#include "topn_all_users.hpp"

namespace recsys::cli {
namespace {

struct TopnOptions {
  std::string model = "recsys.model", user, format = "table";
  int n = 10;
  bool include_rated = false;
  bool all_users = false;
};

void run(const TopnOptions& o) {
  if (o.all_users == !o.user.empty()) throw Error("give either --user ID or --all-users");
  const TrainedModel m = load_model(o.model);
  if (o.all_users)
    return write_stdout(
        all_users_topn(m, static_cast<std::size_t>(o.n), o.include_rated, o.format));
  const auto user = m.users.find(o.user);
  if (!user)
    throw Error(o.model, 0,
                "user '" + o.user + "' is not in this model (it knows " +
                    std::to_string(m.users.size()) + " users, by the userId of the ratings file)");
  const auto recs = recommend(m, *user, static_cast<std::size_t>(o.n), o.include_rated);
  std::string out;
  if (o.format == "json") {
    JsonWriter j;
    j.begin_object().field("userId", o.user).field("excluded_rated", !o.include_rated);
    j.key("recommendations").begin_array();
    for (std::size_t r = 0; r < recs.size(); ++r) {
      j.begin_object().field("rank", static_cast<int>(r + 1));
      j.field("movieId", m.items.token(recs[r].item)).field("title", m.titles[recs[r].item]);
      j.field("score", static_cast<double>(recs[r].stars)).end_object();
    }
    j.end_array().end_object();
    out = j.str() + "\n";
  } else if (o.format == "csv") {
    out = "rank,movieId,title,score\n";
    for (std::size_t r = 0; r < recs.size(); ++r)
      out += std::to_string(r + 1) + "," + csv_field(m.items.token(recs[r].item)) + "," +
             csv_field(m.titles[recs[r].item]) + "," + fixed(recs[r].stars, 4) + "\n";
  } else {
    // The table adds genres (when known) so a reader can see why a film is there.
    std::vector<std::vector<std::string>> rows;
    for (std::size_t r = 0; r < recs.size(); ++r)
      rows.push_back({std::to_string(r + 1), m.items.token(recs[r].item),
                      m.item_label(recs[r].item), fixed(recs[r].stars, 2), m.genres[recs[r].item]});
    out = format_table({"rank", "movieId", "title", "score", "genres"}, rows,
                       {true, true, false, true, false});
  }
  write_stdout(out);
}

}  // namespace

void register_topn(CLI::App& app) {
  auto o = std::make_shared<TopnOptions>();
  CLI::App* cmd = app.add_subcommand(
      "topn", "A user's best movies by predicted rating (score = predicted stars)");
  cmd->add_option("--user", o->user, "The user's id as in the ratings file (userId)");
  cmd->add_flag("--all-users", o->all_users, "Every user's list (csv: userId,rank,movieId,score)");
  at_least(cmd->add_option("-n,--top", o->n, "How many movies")->capture_default_str(), 1);
  cmd->add_flag("--include-rated", o->include_rated,
                "Keep movies the user already rated (training or validation rows)");
  add_format_option(cmd, o->format, {"table", "csv", "json"});
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
