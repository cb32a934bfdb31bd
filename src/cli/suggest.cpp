#include "suggest.hpp"

#include <algorithm>

namespace recsys::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions, over
  // three rolling rows (two back, for the transposition).
  const std::size_t n = b.size();
  std::vector<std::size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (std::size_t j = 0; j <= n; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t replace = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

namespace {

std::string_view without_dashes(std::string_view s) {
  while (!s.empty() && s.front() == '-') s.remove_prefix(1);
  return s;
}

}  // namespace

std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& names) {
  const std::string_view t = without_dashes(typed);
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const auto& name : names) {
    const std::string_view n = without_dashes(name);
    const std::size_t d = edit_distance(t, n);
    if (d < best_distance && 2 * d < std::max(t.size(), n.size())) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace recsys::cli
