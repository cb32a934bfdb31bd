// recsys topn --user ID: a user's best movies they have not rated.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "movie_list.hpp"
#include "new_user_ratings.hpp"
#include "output.hpp"
#include "recsys/eval/genre_calibration.hpp"
#include "recsys/eval/recommender.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/train/fold_in.hpp"
#include "recsys/util/error.hpp"
#include "topn_all_users.hpp"

namespace recsys::cli {
namespace {

// A new user's few ratings are what they chose to say about their taste, and
// the fold-in weighs them against the model's prior, its most popular films;
// calibrating toward their genres gives that statement its weight
// (docs/training.md#new-users measures what it costs).
constexpr double kNewUserCalibration = 0.8;

struct TopnOptions {
  std::string model = "recsys.model", user, rated, format = "table";
  int n = 10;
  // Below 0: not given, which means kNewUserCalibration for --rated and 0 otherwise.
  double calibrate = -1;
  bool include_rated = false;
  bool all_users = false;
};

// A new user's list from their ratings file, the model's tables fixed.
void run_new_user(const TrainedModel& m, TopnOptions o) {
  const NewUserRatings rated = read_new_user_ratings(o.rated, m);
  if (rated.unknown > 0)
    spdlog::warn("{}: {} of {} movies are not in this model; they are left out", o.rated,
                 rated.unknown, rated.unknown + rated.movies.size());
  const FoldedUser user = fold_in_user(m, rated.movies);
  if (o.calibrate < 0 && GenreIndex(m.genres).any()) {
    o.calibrate = kNewUserCalibration;
    spdlog::info("the list follows the genres of the rated movies (--calibrate {}; 0 = off)",
                 fixed(o.calibrate, 1));
  }
  std::vector<std::uint32_t> seen;
  if (!o.include_rated)
    for (const auto& r : rated.movies) seen.push_back(r.item);
  const std::vector<std::uint32_t> liked = liked_movies(rated.movies);
  const auto n = static_cast<std::size_t>(o.n);
  const auto recs = o.calibrate > 0
                        ? recommend_calibrated(m, user.vec, user.bias, seen, liked, n, o.calibrate)
                        : recommend_for(m, user.vec, user.bias, seen, n);
  std::vector<ListedMovie> list;
  for (const auto& r : recs) list.push_back({r.item, m.shown_score(r.logit)});
  MovieListFormat how{m.score_name(), 2, "recommendations", [&](JsonWriter& j) {
                        j.field("rated_file", o.rated)
                            .field("rated_movies", std::uint64_t(rated.movies.size()))
                            .field("excluded_rated", !o.include_rated);
                        if (o.calibrate > 0) j.field("calibrate", o.calibrate);
                      }};
  write_stdout(format_movie_list(m, list, o.format, how));
}

// A known user's list; calibrated, it follows the genre mix of the user's
// training movies (as in metrics and --all-users).
std::vector<Recommendation> recommend_user(const TrainedModel& m, std::uint32_t user,
                                           const TopnOptions& o) {
  const auto n = static_cast<std::size_t>(o.n);
  if (o.calibrate <= 0) return recommend(m, user, n, o.include_rated);
  std::vector<std::uint32_t> rated;
  if (!o.include_rated) {
    for (const auto i : m.train_rated.of(user)) rated.push_back(i);
    for (const auto i : m.validation_rated.of(user)) rated.push_back(i);
  }
  const Embeddings& e = m.tables;
  return recommend_calibrated(m, {e.user_row(user), std::size_t(e.dim)}, e.user_bias[user], rated,
                              m.train_rated.of(user), n, o.calibrate);
}

void run(TopnOptions o) {
  if (int(o.all_users) + int(!o.user.empty()) + int(!o.rated.empty()) != 1)
    throw Error("give one of --user ID, --rated FILE or --all-users");
  const TrainedModel m = load_model(o.model);
  if (!o.rated.empty()) return run_new_user(m, o);
  o.calibrate = std::max(o.calibrate, 0.0);
  if (o.all_users)
    return write_stdout(
        all_users_topn(m, static_cast<std::size_t>(o.n), o.include_rated, o.calibrate, o.format));
  const auto user = m.users.find(o.user);
  if (!user)
    throw Error(o.model, 0,
                "user '" + o.user + "' is not in this model (it knows " +
                    std::to_string(m.users.size()) + " users, by the userId of the ratings file)");
  const auto recs = recommend_user(m, *user, o);
  std::vector<ListedMovie> list;
  for (const auto& r : recs) list.push_back({r.item, m.shown_score(r.logit)});
  MovieListFormat how{m.score_name(), 2, "recommendations", [&](JsonWriter& j) {
                        j.field("userId", o.user).field("excluded_rated", !o.include_rated);
                        if (o.calibrate > 0) j.field("calibrate", o.calibrate);
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
  cmd->add_option("--rated", o->rated,
                  "A new user's ratings (movieId,rating rows): fit the user, the model unchanged, "
                  "then list as for --user");
  cmd->add_flag("--all-users", o->all_users, "Every user's list (csv: userId,rank,movieId,score)");
  at_least(cmd->add_option("-n,--top", o->n, "How many movies")->capture_default_str(), 1);
  cmd->add_flag("--include-rated", o->include_rated,
                "Keep movies the user already rated (training or validation rows)");
  add_calibrate_option(cmd, o->calibrate,
                       "default 0, or " + fixed(kNewUserCalibration, 1) + " with --rated");
  add_format_option(cmd, o->format, {"table", "csv", "json"});
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
