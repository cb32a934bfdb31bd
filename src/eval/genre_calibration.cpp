#include "recsys/eval/genre_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

constexpr double kMixIn = 0.01;  // Steck's a: q~ = (1 - a) q + a p

// KL(p || (1 - a) q / total + a p) for the list's unnormalised genre
// weights q, with `extra`'s genres added (an item not in the list yet;
// none when it has no genres), q itself unchanged.
double divergence(std::span<const double> p, std::span<const double> q, double total,
                  std::span<const std::uint16_t> extra = {}) {
  if (!extra.empty()) total += 1;
  double kl = 0;
  for (std::size_t g = 0; g < std::min(p.size(), q.size()); ++g) {
    if (!(p[g] > 0)) continue;
    double weight = q[g];
    for (const auto e : extra)
      if (e == g) weight += 1.0 / double(extra.size());
    const double share = total > 0 ? weight / total : 0.0;
    kl += p[g] * std::log(p[g] / ((1 - kMixIn) * share + kMixIn * p[g]));
  }
  return kl;
}

// Adds an item's genres to a set's weights; returns what it adds to their
// total (1, or 0 for an item without genres).
double add_genres(const GenreIndex& genres, std::uint32_t item, std::vector<double>& q) {
  const auto gs = genres.of(item);
  for (const auto g : gs) q[g] += 1.0 / double(gs.size());
  return gs.empty() ? 0.0 : 1.0;
}

}  // namespace

GenreIndex::GenreIndex(std::span<const std::string> genres_per_item) {
  std::unordered_map<std::string_view, std::uint16_t> ids;
  offsets_.reserve(genres_per_item.size() + 1);
  offsets_.push_back(0);
  for (const std::string& text : genres_per_item) {
    std::string_view rest = text;
    const std::size_t first = ids_.size();
    while (!rest.empty()) {
      const std::size_t bar = rest.find('|');
      const std::string_view name = rest.substr(0, bar);
      rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
      if (name.empty() || name == "(no genres listed)") continue;
      auto [it, added] = ids.try_emplace(name, static_cast<std::uint16_t>(ids.size()));
      if (added && ids.size() > std::numeric_limits<std::uint16_t>::max())
        throw Error("more than 65535 distinct genres in the movies file");
      if (std::find(ids_.begin() + std::ptrdiff_t(first), ids_.end(), it->second) == ids_.end())
        ids_.push_back(it->second);
    }
    offsets_.push_back(static_cast<std::uint32_t>(ids_.size()));
  }
  n_genres_ = ids.size();
}

GenreIndex GenreIndex::required(std::span<const std::string> genres_per_item) {
  GenreIndex out(genres_per_item);
  if (!out.any())
    throw Error(
        "calibrated lists need the movies' genres, and this model holds none (train with "
        "--movies FILE)");
  return out;
}

std::vector<double> genre_mix(const GenreIndex& genres, std::span<const std::uint32_t> items) {
  std::vector<double> p(genres.n_genres(), 0.0);
  double total = 0;
  for (const auto i : items) total += add_genres(genres, i, p);
  if (total > 0)
    for (double& x : p) x /= total;
  return p;
}

double miscalibration(const GenreIndex& genres, std::span<const double> p,
                      std::span<const std::uint32_t> list) {
  std::vector<double> q(genres.n_genres(), 0.0);
  double total = 0;
  for (const auto i : list) total += add_genres(genres, i, q);
  return divergence(p, q, total);
}

std::vector<std::size_t> calibrated_order(const GenreIndex& genres, std::span<const double> p,
                                          std::span<const std::uint32_t> candidates,
                                          std::span<const float> scores, std::size_t n,
                                          double lambda) {
  n = std::min(n, candidates.size());
  std::vector<std::size_t> order;
  order.reserve(n);
  if (lambda <= 0) {
    for (std::size_t r = 0; r < n; ++r) order.push_back(r);
    return order;
  }
  if (n == 0) return order;
  if (scores.size() < candidates.size())
    throw Error("calibrated_order: fewer scores than candidates", Error::Kind::Internal);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t c = 0; c < candidates.size(); ++c)
    if (std::isfinite(scores[c])) {
      lo = std::min(lo, double(scores[c]));
      hi = std::max(hi, double(scores[c]));
    }
  const double range = hi > lo ? hi - lo : 0.0;
  const auto scaled = [&](std::size_t c) {
    if (!std::isfinite(scores[c])) return scores[c] > 0 ? 1.0 : 0.0;
    return range > 0 ? (scores[c] - lo) / range : 1.0;
  };
  std::vector<double> q(genres.n_genres(), 0.0);
  std::vector<char> taken(candidates.size(), 0);
  double total = 0;
  while (order.size() < n) {
    std::size_t best = candidates.size();
    double best_value = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (taken[c]) continue;
      const double value =
          (1 - lambda) * scaled(c) - lambda * divergence(p, q, total, genres.of(candidates[c]));
      if (best == candidates.size() || value > best_value) {
        best_value = value;
        best = c;
      }
    }
    taken[best] = 1;
    total += add_genres(genres, candidates[best], q);
    order.push_back(best);
  }
  // The mix depends on which films are chosen, not on their order: shown in
  // the model's order, the best-scored come first.
  std::sort(order.begin(), order.end());
  return order;
}

TopNLists calibrate_lists(const TopNLists& lists, const GenreIndex& genres,
                          const RatedItems& profiles, std::size_t k, double lambda) {
  TopNLists out;
  out.k = k;
  out.stride = std::min(k, lists.stride);
  out.length.assign(lists.n_users(), 0);
  out.items.assign(lists.n_users() * out.stride, 0);
  out.logits.assign(out.items.size(), 0.0f);
  for (std::uint32_t u = 0; u < lists.n_users(); ++u) {
    const auto items = lists.of(u);
    const auto logits = lists.logits_of(u);
    const std::vector<double> p =
        u < profiles.n_users() ? genre_mix(genres, profiles.of(u)) : std::vector<double>{};
    const auto order = calibrated_order(genres, p, items, logits, out.stride, lambda);
    out.length[u] = static_cast<std::uint32_t>(order.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
      out.items[u * out.stride + r] = items[order[r]];
      out.logits[u * out.stride + r] = logits[order[r]];
    }
  }
  return out;
}

double mean_miscalibration(const TopNLists& lists, const GenreIndex& genres,
                           const RatedItems& profiles, std::vector<double>* per_list) {
  if (per_list) per_list->assign(lists.n_users(), std::numeric_limits<double>::quiet_NaN());
  double sum = 0;
  std::size_t counted = 0;
  for (std::uint32_t u = 0; u < lists.n_users() && u < profiles.n_users(); ++u) {
    const auto list = lists.of(u);
    const std::vector<double> p = genre_mix(genres, profiles.of(u));
    if (list.empty() || std::all_of(p.begin(), p.end(), [](double x) { return x == 0; })) continue;
    const double kl = miscalibration(genres, p, list);
    if (per_list) (*per_list)[u] = kl;
    sum += kl;
    ++counted;
  }
  return counted > 0 ? sum / double(counted) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace recsys
