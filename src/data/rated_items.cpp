#include "recsys/data/rated_items.hpp"

#include <algorithm>

#include "recsys/util/huge_pages.hpp"

namespace recsys {

RatedItems RatedItems::build(std::size_t n_users, std::span<const std::uint32_t> user,
                             std::span<const std::uint32_t> item) {
  RatedItems r;
  r.offsets.assign(n_users + 1, 0);
  for (const auto u : user) ++r.offsets[u + 1];
  for (std::size_t u = 0; u < n_users; ++u) r.offsets[u + 1] += r.offsets[u];
  reserve_huge(r.items, user.size());
  r.items.resize(user.size());
  std::vector<std::uint64_t> cursor(r.offsets.begin(), r.offsets.end() - 1);
  for (std::size_t k = 0; k < user.size(); ++k) r.items[cursor[user[k]]++] = item[k];
  // Sort each row and drop repeated (user, item) pairs, compacting in place.
  std::uint64_t write = 0;
  for (std::size_t u = 0; u < n_users; ++u) {
    auto first = r.items.begin() + r.offsets[u];
    auto last = r.items.begin() + r.offsets[u + 1];
    std::sort(first, last);
    last = std::unique(first, last);
    const auto n = static_cast<std::uint64_t>(last - first);
    std::copy(first, last, r.items.begin() + write);
    r.offsets[u] = write;
    write += n;
  }
  r.offsets[n_users] = write;
  r.items.resize(write);
  return r;
}

bool RatedItems::contains(std::uint32_t user, std::uint32_t item) const {
  const auto row = of(user);
  return std::binary_search(row.begin(), row.end(), item);
}

}  // namespace recsys
