#pragma once
// How well the top-k lists find the movies a user rated highly in held-out
// rows: precision, recall, nDCG, hit rate and MAP at k with binary relevance.
// Exact formulas: docs/metrics.md.
#include <cstdint>
#include <limits>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/eval/top_n.hpp"

namespace recsys {

struct RankingMetrics {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double precision = kNaN;   // hits / k
  double recall = kNaN;      // hits / relevant items of the user
  double ndcg = kNaN;        // DCG / ideal DCG, gains 1 / log2(rank + 1)
  double hit_rate = kNaN;    // share of users with at least one hit
  double map = kNaN;         // mean average precision, normalised by min(k, relevant)
  std::size_t users = 0;     // users with at least one relevant item: the means' denominator
  std::size_t relevant = 0;  // relevant (user, item) pairs of those users
  std::size_t hits = 0;      // relevant items found in the lists
};

// One user's part of those means (metrics --per-user): NaN figures for a
// user without a relevant item, who is in none of the means.
struct UserRanking {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::size_t relevant = 0;  // the user's relevant items
  double precision = kNaN, recall = kNaN, ndcg = kNaN;
  double hit = kNaN;  // 1 with a relevant item in the list, else 0
  double ap = kNaN;   // average precision; its mean is map
};

// Each user's items rated at least `threshold` stars in rows; a repeated
// (user, item) pair counts once.
RatedItems relevant_items(const Ratings& rows, std::size_t n_users, double threshold);

// Means over users with at least one relevant item (users without one are
// left out, not counted as zeros); k = lists.k even where a list is shorter.
// per_user, when given, receives every user's figures (one per list).
RankingMetrics ranking_metrics(const TopNLists& lists, const RatedItems& relevant,
                               std::vector<UserRanking>* per_user = nullptr);

}  // namespace recsys
