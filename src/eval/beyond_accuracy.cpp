#include "recsys/eval/beyond_accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace recsys {

double intra_list_diversity(const TopNLists& lists, const Embeddings& tables,
                            std::size_t* lists_counted, std::vector<double>* per_list) {
  if (per_list) per_list->assign(lists.n_users(), BeyondAccuracy::kNaN);
  const auto dim = static_cast<std::size_t>(tables.dim);
  // 1 / |v| per item, 0 for a zero vector so that it adds nothing to any pair's cosine.
  std::vector<double> inverse_norm(tables.n_items, 0.0);
  for (std::uint32_t i = 0; i < tables.n_items; ++i) {
    const float* v = tables.item_row(i);
    double squared = 0;
    for (std::size_t d = 0; d < dim; ++d) squared += double(v[d]) * v[d];
    if (squared > 0) inverse_norm[i] = 1.0 / std::sqrt(squared);
  }
  // With unit vectors e_a, the sum of cos over distinct pairs is
  // (|sum_a e_a|^2 - sum_a |e_a|^2) / 2: O(k dim) per list instead of the k x k Gram matrix.
  std::vector<double> sum(dim);
  double total = 0;
  std::size_t counted = 0;
  for (std::uint32_t u = 0; u < lists.n_users(); ++u) {
    const auto list = lists.of(u);
    const std::size_t m = list.size();
    if (m < 2) continue;
    std::fill(sum.begin(), sum.end(), 0.0);
    double self = 0;
    for (const auto i : list) {
      const float* v = tables.item_row(i);
      const double s = inverse_norm[i];
      for (std::size_t d = 0; d < dim; ++d) sum[d] += s * v[d];
      self += s > 0 ? 1.0 : 0.0;
    }
    double sum_squared = 0;
    for (const double x : sum) sum_squared += x * x;
    const double pairs = double(m) * double(m - 1) / 2.0;
    const double cosine_sum = (sum_squared - self) / 2.0;
    const double diversity = 1.0 - cosine_sum / pairs;
    if (per_list) (*per_list)[u] = diversity;
    total += diversity;
    ++counted;
  }
  if (lists_counted) *lists_counted = counted;
  return counted ? total / double(counted) : BeyondAccuracy::kNaN;
}

double gini_index(std::span<const std::uint64_t> counts) {
  const std::size_t n = counts.size();
  std::vector<std::uint64_t> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  double total = 0, weighted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += double(sorted[i]);
    weighted += (2.0 * double(i + 1) - double(n) - 1.0) * double(sorted[i]);
  }
  if (total == 0) return BeyondAccuracy::kNaN;
  if (n < 2) return 0.0;
  return weighted / ((double(n) - 1.0) * total);
}

BeyondAccuracy beyond_accuracy(const TopNLists& lists, const Embeddings& tables,
                               const ItemStats& stats, std::size_t n_users,
                               std::vector<UserList>* per_user) {
  BeyondAccuracy b;
  std::vector<double> diversity;
  b.diversity =
      intra_list_diversity(lists, tables, &b.diversity_lists, per_user ? &diversity : nullptr);
  if (per_user) per_user->assign(lists.n_users(), UserList{});
  std::vector<std::uint64_t> times(tables.n_items, 0);
  double rating_means = 0, information = 0, popularity = 0;
  for (std::uint32_t u = 0; u < lists.n_users(); ++u) {
    const auto list = lists.of(u);
    if (list.empty()) continue;
    double rating = 0, list_information = 0, list_popularity = 0;
    for (const auto i : list) {
      ++times[i];
      rating += stats.mean[i];
      list_information -= std::log2(double(stats.count[i]) / double(n_users));
      list_popularity += double(stats.count[i]);
    }
    const double length = double(list.size());
    rating_means += rating / length;
    information += list_information;
    popularity += list_popularity;
    b.recommended += list.size();
    ++b.lists;
    if (per_user)
      (*per_user)[u] = {list.size(), diversity[u], list_information / length, rating / length,
                        list_popularity / length};
  }
  if (b.lists > 0) {
    b.mean_rating_of_recommended = rating_means / double(b.lists);
    b.novelty = information / double(b.recommended);
    b.mean_popularity = popularity / double(b.recommended);
  }
  b.distinct = static_cast<std::size_t>(
      std::count_if(times.begin(), times.end(), [](auto c) { return c > 0; }));
  if (tables.n_items > 0) b.coverage = double(b.distinct) / double(tables.n_items);
  b.gini = gini_index(times);
  return b;
}

}  // namespace recsys
