#pragma once
// Top-N lists and rated-item lists written out by hand, for the tests of the
// ranking and list figures.
#include <cstdint>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/eval/top_n.hpp"

namespace test_support {

using Items = std::vector<std::uint32_t>;

// k slots per user, each row as long as given.
inline recsys::TopNLists lists_of(std::size_t k, const std::vector<Items>& rows) {
  recsys::TopNLists l;
  l.k = l.stride = k;
  l.length.assign(rows.size(), 0);
  l.items.assign(rows.size() * k, 0);
  l.logits.assign(rows.size() * k, 0.0f);
  for (std::size_t u = 0; u < rows.size(); ++u) {
    l.length[u] = static_cast<std::uint32_t>(rows[u].size());
    for (std::size_t r = 0; r < rows[u].size(); ++r) l.items[u * k + r] = rows[u][r];
  }
  return l;
}

inline recsys::RatedItems rated_of(const std::vector<Items>& rows) {
  recsys::Ratings r;
  for (std::uint32_t u = 0; u < rows.size(); ++u)
    for (const auto i : rows[u]) r.push(u, i, 5.0f);
  return recsys::RatedItems::build(rows.size(), r);
}

}  // namespace test_support
