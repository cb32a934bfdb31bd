// recsys synth --out DIR: MovieLens-layout CSVs with a planted structure.
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "commands.hpp"
#include "options.hpp"
#include "recsys/synth/synth.hpp"

namespace recsys::cli {
namespace {

struct SynthCliOptions {
  SynthOptions synth;
  std::string out;
  bool sized = false;  // a count was given; else the 25M-shaped defaults apply
};

std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int k = static_cast<int>(s.size()) - 3; k > 0; k -= 3)
    s.insert(static_cast<std::size_t>(k), ",");
  return s;
}

// Said before the work starts: the defaults write hundreds of MB.
void announce(const SynthCliOptions& o) {
  const SynthOptions& s = o.synth;
  const double bytes = static_cast<double>(estimated_ratings_bytes(s));
  const std::string size = bytes < 1e6   ? fmt::format("{:.0f} kB", bytes / 1e3)
                           : bytes < 1e7 ? fmt::format("{:.1f} MB", bytes / 1e6)
                                         : fmt::format("{:.0f} MB", bytes / 1e6);
  spdlog::info("writing {} ratings by {} users of {} movies (ratings.csv about {}) to {}{}",
               thousands(static_cast<std::uint64_t>(s.ratings)),
               thousands(static_cast<std::uint64_t>(s.users)),
               thousands(static_cast<std::uint64_t>(s.movies)), size, o.out,
               o.sized ? ""
                       : "; no size given, so the shape of MovieLens 25M (--n-ratings, "
                         "--n-users and --n-movies make it smaller)");
}

void run(const SynthCliOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const SynthReport r = write_synthetic(o.synth, o.out, [&o] { announce(o); });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const SynthOptions& s = o.synth;
  spdlog::info(
      "wrote {}/{{ratings,movies,users}}.csv in {:.2f} s: {} ratings ({:.1f} MB, mean {:.2f} "
      "stars) by {} users "
      "(per user {}..{}, median {}) of {} movies (most rated {}, median {}); {} genres, dim {}, "
      "noise {}, "
      "seed {}",
      o.out, seconds, thousands(r.ratings), static_cast<double>(r.ratings_bytes) / 1e6,
      r.mean_rating, thousands(static_cast<std::uint64_t>(s.users)), r.min_user_ratings,
      r.max_user_ratings, r.median_user_ratings, thousands(static_cast<std::uint64_t>(s.movies)),
      r.max_movie_ratings, r.median_movie_ratings, s.genres, s.dim, s.noise, s.seed);
}

}  // namespace

void register_synth(CLI::App& app) {
  auto o = std::make_shared<SynthCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth",
      "Generate synthetic MovieLens-layout data (ratings.csv, movies.csv, users.csv) with planted "
      "genre preferences; the defaults give the shape of MovieLens 25M");
  std::string genres;
  for (std::size_t g = 0; g < genre_names().size(); ++g)
    genres += (g ? ", " : "") + std::string(genre_names()[g]);
  cmd->add_option("--out", o->out, "Directory to write into (created when missing)")->required();
  // Counts are --n-*: --movies and --ratings name files in train and metrics.
  CLI::Option* users =
      cmd->add_option("--n-users", o->synth.users, "Number of users")->capture_default_str();
  CLI::Option* movies =
      cmd->add_option("--n-movies", o->synth.movies, "Number of movies")->capture_default_str();
  CLI::Option* ratings =
      cmd->add_option("--n-ratings", o->synth.ratings, "Number of rating rows, exactly")
          ->capture_default_str();
  cmd->add_option("--dim", o->synth.dim, "Size of the planted latent vectors")
      ->capture_default_str();
  cmd->add_option("--noise", o->synth.noise, "Std dev of the rating noise, in stars")
      ->capture_default_str();
  cmd->add_option("--genres", o->synth.genres, "Planted genres, the first N of: " + genres)
      ->capture_default_str();
  cmd->add_option("--favourite-share", o->synth.favourite_share,
                  "Share of each user's ratings drawn from their favourite genre, the rest by "
                  "popularity: how much the choice of films, not only the stars, follows taste")
      ->capture_default_str();
  cmd->add_option("--seed", o->synth.seed, "Seed; the same options and seed give the same bytes")
      ->capture_default_str();
  add_deprecated_alias(cmd, "--users", o->synth.users, users, "a count");
  add_deprecated_alias(cmd, "--movies", o->synth.movies, movies, "a count");
  add_deprecated_alias(cmd, "--ratings", o->synth.ratings, ratings, "a count");
  cmd->callback([cmd, o] {
    for (const char* size :
         {"--n-users", "--n-movies", "--n-ratings", "--users", "--movies", "--ratings"})
      o->sized = o->sized || cmd->count(size) > 0;
    run(*o);
  });
}

}  // namespace recsys::cli
