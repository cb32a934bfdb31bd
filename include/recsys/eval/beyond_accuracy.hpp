#pragma once
// Figures of the recommended lists themselves rather than of predicted
// ratings: how varied each list is, how unfamiliar and popular its movies
// are, and how widely the lists spread over the catalogue. Exact formulas:
// docs/metrics.md.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "recsys/data/item_stats.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/train/model.hpp"

namespace recsys {

struct BeyondAccuracy {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double diversity = kNaN;                   // mean over lists of mean (1 - cosine) over item pairs
  double mean_rating_of_recommended = kNaN;  // mean over lists of the mean raw rating of its items
  double novelty = kNaN;                     // mean over recommended items of -log2(count / users)
  double mean_popularity = kNaN;             // mean over recommended items of their rating count
  double coverage = kNaN;                    // share of the catalogue in at least one list
  double gini = kNaN;                        // Gini index of how often each item is recommended
  double miscalibration = kNaN;     // mean over lists of KL(user's genre mix || list's), when asked
  std::size_t lists = 0;            // non-empty lists (users in the per-list means)
  std::size_t diversity_lists = 0;  // lists with at least two items (users in `diversity`)
  std::size_t recommended = 0;      // list slots filled, over all lists
  std::size_t distinct = 0;         // distinct items recommended
};

// One user's list's part of those figures (metrics --per-user). diversity
// is NaN for a list of fewer than two items, the rest for an empty list: the
// lists each mean leaves out. novelty and mean_popularity are means over the
// list's items, so the overall figures are their means weighted by length.
struct UserList {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::size_t length = 0;
  double diversity = kNaN, novelty = kNaN, mean_rating_of_recommended = kNaN,
         mean_popularity = kNaN;
};

// Mean over lists with at least two items of the mean of (1 - cos(v_a, v_b))
// over the list's distinct pairs, v = item embeddings. A zero vector has
// cosine 0 with every vector (distance 1), as sklearn's cosine_similarity
// treats it. NaN when no list has two items; `lists_counted` receives their
// number, `per_list` each list's own figure (NaN below two items).
double intra_list_diversity(const TopNLists& lists, const Embeddings& tables,
                            std::size_t* lists_counted = nullptr,
                            std::vector<double>* per_list = nullptr);

// Gini index of counts (one per item, zeros included), normalised so that 0
// means every item equally often and 1 means one item takes every count:
// sum_i (2i - n - 1) c_(i) / ((n - 1) sum c), c ascending, i = 1..n.
// 0 for a single item; NaN when every count is 0.
double gini_index(std::span<const std::uint64_t> counts);

// Every figure above. stats: per-item rating counts and mean raw ratings over
// the whole ratings file(s); n_users: users in those files (novelty's denominator).
// per_user, when given, receives each list's figures.
BeyondAccuracy beyond_accuracy(const TopNLists& lists, const Embeddings& tables,
                               const ItemStats& stats, std::size_t n_users,
                               std::vector<UserList>* per_user = nullptr);

}  // namespace recsys
