#pragma once
// Which items each user rated, as compressed rows (offsets + sorted items):
// 4 bytes per rating, and a binary search answers "has u rated i?".
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/data/ratings.hpp"

namespace recsys {

struct RatedItems {
  std::vector<std::uint64_t> offsets;  // n_users + 1
  std::vector<std::uint32_t> items;    // each user's items, ascending, no repeats

  static RatedItems build(std::size_t n_users, const Ratings& rows) {
    return build(n_users, rows.user, rows.item);
  }
  // The same from the two index columns alone (the stars are not needed).
  static RatedItems build(std::size_t n_users, std::span<const std::uint32_t> user,
                          std::span<const std::uint32_t> item);
  std::span<const std::uint32_t> of(std::uint32_t user) const {
    return {items.data() + offsets[user], items.data() + offsets[user + 1]};
  }
  bool contains(std::uint32_t user, std::uint32_t item) const;
  // How many of rows' (user, item) pairs this holds, a repeated row each
  // time; a user past n_users() holds nothing. Evaluation rows that are also
  // training rows make the figures optimistic, and this counts them.
  std::size_t count_held(const Ratings& rows) const;
  // Each row already ascending: drops repeated items, compacting in place.
  void drop_repeats();
  std::size_t n_users() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

}  // namespace recsys
