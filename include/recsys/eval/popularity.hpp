#pragma once
// The most-popular recommender: every user gets the movies with the most
// training ratings among those the user's list may hold. `recsys metrics`
// puts its figures beside the model's as the yardstick a model has to beat,
// as baseline_rmse is for accuracy.
//
// Popularity is counted on the training rows only: a held-out rating counted
// toward it would let the yardstick see the answers it is scored on. Equal
// counts go to the lower item index (order of first appearance), the rule of
// the model's own lists.
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/eval/top_n.hpp"

namespace recsys {

// Training ratings of each item: the number of users whose training rows
// hold it (train_rated keeps one row per (user, item) pair).
std::vector<std::uint32_t> training_counts(const RatedItems& train_rated, std::size_t n_items);

// One TopNLists per request for users 0..n_users-1, with the exclusion rules
// of top_n_all; the scores in `logits` are the items' counts. The catalogue
// is sorted by count once and each user's list is the walk down that order
// past the user's excluded items, so a list costs O(k + excluded items).
std::vector<TopNLists> popularity_lists(std::span<const std::uint32_t> counts, std::size_t n_users,
                                        const std::vector<TopNRequest>& requests);

}  // namespace recsys
