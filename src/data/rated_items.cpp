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
  for (std::size_t u = 0; u < n_users; ++u)
    std::sort(r.items.begin() + std::ptrdiff_t(r.offsets[u]),
              r.items.begin() + std::ptrdiff_t(r.offsets[u + 1]));
  r.drop_repeats();
  return r;
}

void RatedItems::drop_repeats() {
  std::uint64_t write = 0;
  const std::size_t users = n_users();
  for (std::size_t u = 0; u < users; ++u) {
    const auto first = items.begin() + std::ptrdiff_t(offsets[u]);
    const auto last = std::unique(first, items.begin() + std::ptrdiff_t(offsets[u + 1]));
    const auto n = static_cast<std::uint64_t>(last - first);
    std::copy(first, last, items.begin() + std::ptrdiff_t(write));
    offsets[u] = write;
    write += n;
  }
  if (users > 0) offsets[users] = write;
  items.resize(write);
}

bool RatedItems::contains(std::uint32_t user, std::uint32_t item) const {
  const auto row = of(user);
  return std::binary_search(row.begin(), row.end(), item);
}

std::size_t RatedItems::count_held(const Ratings& rows) const {
  std::size_t held = 0;
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (rows.user[r] < n_users() && contains(rows.user[r], rows.item[r])) ++held;
  return held;
}

}  // namespace recsys
