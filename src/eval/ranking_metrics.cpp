#include "recsys/eval/ranking_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace recsys {

RatedItems relevant_items(const Ratings& rows, std::size_t n_users, double threshold) {
  Ratings kept;
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (double(rows.stars[r]) >= threshold) kept.push(rows.user[r], rows.item[r], rows.stars[r]);
  return RatedItems::build(n_users, kept);
}

RankingMetrics ranking_metrics(const TopNLists& lists, const RatedItems& relevant,
                               std::vector<UserRanking>* per_user) {
  RankingMetrics m;
  if (per_user) per_user->assign(lists.n_users(), UserRanking{});
  const std::size_t k = lists.k;
  // discount[r] = 1 / log2(r + 2): the gain of a hit at 0-based rank r;
  // ideal[n] = the DCG of n hits in the first n places. No list is longer
  // than its stride, and min(k, relevant) never exceeds it either (a user's
  // relevant items are distinct items of the catalogue).
  const std::size_t places = std::max(lists.stride, std::size_t(1));
  std::vector<double> discount(places), ideal(places + 1, 0.0);
  for (std::size_t r = 0; r < places; ++r) {
    discount[r] = 1.0 / std::log2(double(r) + 2.0);
    ideal[r + 1] = ideal[r] + discount[r];
  }
  double precision = 0, recall = 0, ndcg = 0, hit_rate = 0, map = 0;
  const std::size_t n_users = std::min(lists.n_users(), relevant.n_users());
  for (std::uint32_t u = 0; u < n_users; ++u) {
    const auto wanted = relevant.of(u);
    if (wanted.empty()) continue;
    const auto list = lists.of(u);
    std::size_t hits = 0;
    double dcg = 0, precision_sum = 0;
    for (std::size_t r = 0; r < list.size(); ++r) {
      if (!std::binary_search(wanted.begin(), wanted.end(), list[r])) continue;
      ++hits;
      dcg += discount[r];
      precision_sum += double(hits) / double(r + 1);
    }
    const std::size_t best = std::min({k, wanted.size(), places});
    ++m.users;
    m.relevant += wanted.size();
    m.hits += hits;
    if (per_user) (*per_user)[u].relevant = wanted.size();
    if (k == 0) continue;
    UserRanking one;
    one.precision = double(hits) / double(k);
    one.recall = double(hits) / double(wanted.size());
    one.ndcg = dcg / ideal[best];
    one.hit = hits > 0 ? 1.0 : 0.0;
    one.ap = precision_sum / double(best);
    precision += one.precision;
    recall += one.recall;
    ndcg += one.ndcg;
    hit_rate += one.hit;
    map += one.ap;
    if (per_user) {
      one.relevant = wanted.size();
      (*per_user)[u] = one;
    }
  }
  if (m.users > 0 && k > 0) {
    const double n = double(m.users);
    m.precision = precision / n;
    m.recall = recall / n;
    m.ndcg = ndcg / n;
    m.hit_rate = hit_rate / n;
    m.map = map / n;
  }
  return m;
}

}  // namespace recsys
