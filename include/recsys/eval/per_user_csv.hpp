#pragma once
// Each user's figures as CSV (`recsys metrics --per-user FILE`), for the
// analysis people do in pandas. One row per user of the model, in index
// order (order of first appearance in the ratings files):
//
//   userId,held_out_rows,relevant,list_length,precision_at_k,recall_at_k,
//   ndcg_at_k,hit_at_k,ap_at_k,diversity,novelty,mean_rating_of_recommended,
//   mean_popularity
//
// A field is empty where the user is in no mean of that figure (no relevant
// item: the ranking figures; a list under two movies: diversity; an empty
// list: the other list figures), so that pandas' mean, which skips empty
// fields, gives the overall figure. novelty and mean_popularity are means
// over the user's list, and the overall figures are means over all listed
// movies: their overall value is the mean weighted by list_length. Numbers
// are in their shortest form that reads back as the same double.
#include <string>

#include "recsys/data/id_map.hpp"
#include "recsys/eval/evaluation.hpp"

namespace recsys {

// figures: a MetricsReport's per_user with both the ranking and the list
// figures computed.
std::string per_user_csv(const PerUserFigures& figures, const IdMap& users);

}  // namespace recsys
