// recsys topn --user ID: a user's best movies they have not rated.
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "movie_list.hpp"
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
  std::vector<ListedMovie> list;
  for (const auto& r : recs) list.push_back({r.item, m.shown_score(r.logit)});
  MovieListFormat how{m.score_name(), 2, "recommendations", [&](JsonWriter& j) {
                        j.field("userId", o.user).field("excluded_rated", !o.include_rated);
                      }};
  write_stdout(format_movie_list(m, list, o.format, how));
}

}  // namespace

void register_topn(CLI::App& app) {
  auto o = std::make_shared<TopnOptions>();
  CLI::App* cmd = app.add_subcommand(
      "topn",
      "A user's best movies: score = predicted stars (rating objective) or choice_score "
      "(choice objective)");
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
