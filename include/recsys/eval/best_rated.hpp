#pragma once
// Choosing the films to project: the best-rated ones by mean raw rating, as
// the notebook does, with a minimum number of ratings so that a perfect mean
// from one or two ratings does not top the list.
#include <cstdint>
#include <string>
#include <vector>

#include "recsys/data/id_map.hpp"
#include "recsys/data/item_stats.hpp"

namespace recsys {

enum class RankBy {
  Mean,    // mean raw rating, among films with at least min_ratings ratings
  Damped,  // (n*mean + m*global_mean) / (n + m) with m = min_ratings, every rated film
  Count,   // number of ratings, among films with at least min_ratings ratings
};

RankBy parse_rank_by(const std::string& name);  // "mean", "damped", "count"; throws Error
std::string rank_by_name(RankBy rank_by);

struct RankedFilm {
  std::uint32_t item = 0;
  double score = 0;  // what the films are ranked by (mean, damped mean or count)
};

struct Ranking {
  std::vector<RankedFilm> films;  // every eligible film, best first
  double global_mean = 0;         // over every rating, the damped mean's prior
};

// Every eligible film, best first. Ties: more ratings first, then the lower
// movieId (numerically when both ids are integers, else as text).
Ranking rank_films(const ItemStats& stats, const IdMap& items, RankBy rank_by,
                   std::uint32_t min_ratings);

// True when movieId a sorts before b: numerically for integer ids, else as text.
bool movie_id_less(const std::string& a, const std::string& b);

}  // namespace recsys
