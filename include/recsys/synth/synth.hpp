#pragma once
// Synthetic ratings in the MovieLens layout, with a planted structure that a
// working recommender must find: tests, demos and benchmarks get data of any
// size without shipping or downloading MovieLens.
//
// The model behind the numbers:
//   - each genre has a random unit centre in R^dim;
//   - each movie has one primary genre (vector = its centre + small noise;
//     some movies also lean a little towards a second genre);
//   - each user has one favourite genre (vector = its centre + small noise),
//     so the dot product is about 1 for films of that genre and about 0 for
//     the others: a user rates their favourite genre clearly higher;
//   - rating = clamp(round_half(3.5 + u.v + b_u + b_i + N(0, noise^2)), 0.5, 5).
// Who rates what: movie popularity is Zipf (p ~ 1/rank), and 30% of a
// user's picks come from their favourite genre (by popularity within it).
// User activity is Zipf-like (a long tail of light users, a few very heavy
// ones) above a floor of 5 ratings per user. A user rates a movie at most
// once, and at most half the movies unless the requested total needs more.
//
// Files (all with a header line, ids from 1, rows of ratings.csv ordered by
// userId then movieId as MovieLens's are):
//   ratings.csv  userId,movieId,rating,timestamp
//   movies.csv   movieId,title,genres   (titles with commas and quotes, CSV-quoted)
//   users.csv    userId,favorite_genre  (the planted truth, for tests)
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace recsys {

struct SynthOptions {
  // The shape of MovieLens 25M.
  std::int64_t users = 162541;
  std::int64_t movies = 59047;
  std::int64_t ratings = 25000095;  // rows written, exactly
  int dim = 32;                     // size of the planted latent vectors
  double noise = 0.5;               // std dev of the rating noise, in stars
  int genres = 8;                   // planted genres: the first `genres` of genre_names()
  // Share of a user's picks drawn from their favourite genre, the rest by
  // overall popularity: how much which films a user rates (not only how)
  // depends on their taste.
  double favourite_share = 0.3;
  std::uint64_t seed = 42;
};

struct SynthReport {
  std::uint64_t ratings = 0;
  std::uint64_t ratings_bytes = 0, movies_bytes = 0, users_bytes = 0;
  std::uint64_t min_user_ratings = 0, median_user_ratings = 0, max_user_ratings = 0;
  std::uint64_t max_movie_ratings = 0, median_movie_ratings = 0;
  double mean_rating = 0;
};

// Every genre name synth can plant, in the order they are used.
std::span<const std::string_view> genre_names();

// Throws recsys::Error naming the option for a value out of range (no users,
// more ratings than user x movie pairs, ...).
void check_synth_options(const SynthOptions& options);

// About how many bytes ratings.csv will take, from the counts alone (ids
// taken as spread evenly over their range), so that a command can say what
// it is about to write before writing it.
std::uint64_t estimated_ratings_bytes(const SynthOptions& options);

// The title of each movie (index 0 is movieId 1), a pure function of the count
// and the seed; exposed so tests can check that movies.csv round-trips.
std::vector<std::string> synth_titles(std::int64_t movies, std::uint64_t seed);

// Writes ratings.csv, movies.csv and users.csv into dir (created when missing).
// Ratings are streamed user by user, so memory stays proportional to the
// number of users and movies, not of ratings. Each file goes to a temporary
// file first and all three are renamed only once every one is complete.
// Same options, same bytes. Throws recsys::Error. `ready`, when given, is
// called once the options and the output paths have passed their checks,
// just before the work starts.
SynthReport write_synthetic(const SynthOptions& options, const std::string& dir,
                            const std::function<void()>& ready = {});

}  // namespace recsys
