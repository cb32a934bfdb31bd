#include "recsys/eval/best_rated.hpp"

#include <algorithm>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

RankBy parse_rank_by(const std::string& name) {
  if (name == "mean") return RankBy::Mean;
  if (name == "damped") return RankBy::Damped;
  if (name == "count") return RankBy::Count;
  throw Error("unknown --rank-by '" + name + "' (choose mean, damped or count)");
}

std::string rank_by_name(RankBy rank_by) {
  switch (rank_by) {
    case RankBy::Mean:
      return "mean";
    case RankBy::Damped:
      return "damped";
    case RankBy::Count:
      return "count";
  }
  return "?";
}

bool movie_id_less(const std::string& a, const std::string& b) {
  if (all_digits(a) && all_digits(b)) {
    // Compare as numbers without overflow: strip leading zeros, then a
    // shorter digit string is the smaller number.
    const auto strip = [](const std::string& s) {
      const auto nz = s.find_first_not_of('0');
      return nz == std::string::npos ? std::string_view() : std::string_view(s).substr(nz);
    };
    const std::string_view x = strip(a), y = strip(b);
    if (x.size() != y.size()) return x.size() < y.size();
    if (x != y) return x < y;
  }
  return a < b;
}

Ranking rank_films(const ItemStats& stats, const IdMap& items, RankBy rank_by,
                   std::uint32_t min_ratings) {
  Ranking ranking;
  double sum = 0, n = 0;
  for (std::size_t i = 0; i < stats.count.size(); ++i) {
    sum += stats.mean[i] * stats.count[i];
    n += stats.count[i];
  }
  ranking.global_mean = n > 0 ? sum / n : 0;
  // The damped mean replaces the hard cut-off: with m = min_ratings pseudo-ratings
  // at the global mean, a film needs many good ratings to rise above the crowd.
  const std::uint32_t floor =
      rank_by == RankBy::Damped ? 1 : std::max<std::uint32_t>(min_ratings, 1);
  const double m = min_ratings;
  for (std::uint32_t i = 0; i < stats.count.size(); ++i) {
    const std::uint32_t c = stats.count[i];
    if (c < floor) continue;
    double score = stats.mean[i];
    if (rank_by == RankBy::Damped) score = (c * stats.mean[i] + m * ranking.global_mean) / (c + m);
    if (rank_by == RankBy::Count) score = c;
    ranking.films.push_back({i, score});
  }
  std::sort(ranking.films.begin(), ranking.films.end(),
            [&](const RankedFilm& a, const RankedFilm& b) {
              if (a.score != b.score) return a.score > b.score;
              if (stats.count[a.item] != stats.count[b.item])
                return stats.count[a.item] > stats.count[b.item];
              return movie_id_less(items.token(a.item), items.token(b.item));
            });
  return ranking;
}

}  // namespace recsys
