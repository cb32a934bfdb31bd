#include "recsys/train/block_grid.hpp"

#include <algorithm>
#include <numeric>

namespace recsys {
namespace {

// Group of each row index: consecutive indexes, cut where the running count
// of ratings passes each 1/groups of the total, so groups carry about equal
// numbers of ratings even when activity is Zipf-like. Consecutive, not dealt
// at random: a group's rows are then one stretch of each table, so a cache
// line (of weights, moments or biases) never holds rows of two groups, and
// two threads in different groups never write to the same line (random
// dealing would make every bias update a false-sharing miss).
std::vector<std::uint8_t> deal(const std::vector<std::uint32_t>& index, std::uint32_t n,
                               int groups) {
  std::vector<std::uint64_t> count(n, 0);
  for (const auto x : index) ++count[x];
  std::vector<std::uint8_t> group(n, 0);
  const std::uint64_t total = std::max<std::uint64_t>(index.size(), 1);
  std::uint64_t before = 0;
  for (std::uint32_t x = 0; x < n; ++x) {
    group[x] = static_cast<std::uint8_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(groups) - 1, before * groups / total));
    before += count[x];
  }
  return group;
}

// Moves rows [begin, end) into `buckets` runs by key(row) in place (American
// flag sort: every swap puts one row in its bucket for good) and returns where
// each run starts, plus `end`. Rows keep no particular order within a run.
template <typename Key>
std::vector<std::size_t> bucket_in_place(Ratings& rows, std::size_t begin, std::size_t end,
                                         std::size_t buckets, Key key) {
  std::vector<std::size_t> start(buckets + 1, 0);
  for (std::size_t k = begin; k < end; ++k) ++start[key(k) + 1];
  start[0] = begin;
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::size_t> next(start.begin(), start.end() - 1);
  for (std::size_t b = 0; b < buckets; ++b) {
    while (next[b] < start[b + 1]) {
      const std::size_t k = next[b];
      const std::size_t d = key(k);
      if (d == b) {
        ++next[b];
        continue;
      }
      const std::size_t to = next[d]++;
      std::swap(rows.user[k], rows.user[to]);
      std::swap(rows.item[k], rows.item[to]);
      rows.stars.swap_rows(k, to);
    }
  }
  return start;
}

}  // namespace

BlockGrid::BlockGrid(Ratings& rows, std::uint32_t n_users, std::uint32_t n_items, int user_groups,
                     int item_groups)
    : user_groups_(std::clamp(user_groups, 1, 255)), item_groups_(std::clamp(item_groups, 1, 255)) {
  const auto user_group = deal(rows.user, n_users, user_groups_);
  const auto item_group = deal(rows.item, n_items, item_groups_);
  const auto gu = static_cast<std::size_t>(user_groups_);
  const auto gi = static_cast<std::size_t>(item_groups_);
  // By user group, then by item group inside each: two passes of a few
  // hundred buckets at most, where one pass over every block would write to
  // thousands of places at once and miss the cache at every swap.
  const auto by_user = bucket_in_place(rows, 0, rows.size(), gu, [&](std::size_t k) {
    return std::size_t(user_group[rows.user[k]]);
  });
  start_.clear();
  for (std::size_t ug = 0; ug < gu; ++ug) {
    const auto by_item =
        bucket_in_place(rows, by_user[ug], by_user[ug + 1], gi,
                        [&](std::size_t k) { return std::size_t(item_group[rows.item[k]]); });
    start_.insert(start_.end(), by_item.begin(), by_item.end() - 1);
  }
  start_.push_back(rows.size());
}

void BlockGrid::shuffle_block(Ratings& rows, std::size_t block, std::uint64_t epoch_seed) const {
  Rng rng(epoch_seed ^ (0x9e3779b97f4a7c15ULL * (block + 1)));
  const std::size_t first = begin(block);
  const std::size_t n = end(block) - first;
  std::uint32_t* user = rows.user.data() + first;
  std::uint32_t* item = rows.item.data() + first;
  for (std::size_t i = n; i > 1; --i) {
    const std::size_t j = rng.below(i);
    std::swap(user[i - 1], user[j]);
    std::swap(item[i - 1], item[j]);
    rows.stars.swap_rows(first + i - 1, first + j);
  }
}

int BlockGrid::groups_for(std::uint32_t n, std::size_t bytes_per_row, std::size_t target_bytes,
                          int minimum) {
  const std::size_t total = std::size_t(n) * bytes_per_row;
  const std::size_t wanted = (total + target_bytes - 1) / std::max<std::size_t>(target_bytes, 1);
  return static_cast<int>(std::clamp<std::size_t>(wanted, std::size_t(std::max(minimum, 1)), 255));
}

BlockScheduler::BlockScheduler(const BlockGrid& grid, Rng& rng)
    : grid_(grid),
      user_busy_(std::size_t(grid.user_groups()), 0),
      item_busy_(std::size_t(grid.item_groups()), 0) {
  pending_.resize(grid.blocks());
  std::iota(pending_.begin(), pending_.end(), std::size_t{0});
  rng.shuffle(pending_.begin(), pending_.end());
  // Claims take from the back (no shifting when the last pending block is free).
  std::reverse(pending_.begin(), pending_.end());
}

std::size_t BlockScheduler::claim(std::size_t previous) {
  const std::lock_guard lock(mutex_);
  if (pending_.empty()) return kNone;
  auto is_free = [&](std::size_t b) {
    return user_busy_[std::size_t(grid_.user_group(b))] == 0 &&
           item_busy_[std::size_t(grid_.item_group(b))] == 0;
  };
  // Staying in the previous block's item group keeps its rows in L3; only
  // the small user group changes from block to block.
  std::size_t pick = kNone;
  if (previous != kNone) {
    const int group = grid_.item_group(previous);
    for (std::size_t k = pending_.size(); k-- > 0;) {
      const std::size_t b = pending_[k];
      if (grid_.item_group(b) == group && user_busy_[std::size_t(grid_.user_group(b))] == 0) {
        pick = k;
        break;
      }
    }
  }
  for (std::size_t k = pending_.size(); pick == kNone && k-- > 0;)
    if (is_free(pending_[k])) pick = k;
  if (pick == kNone) pick = pending_.size() - 1;
  const std::size_t block = pending_[pick];
  pending_.erase(pending_.begin() + std::ptrdiff_t(pick));
  ++user_busy_[std::size_t(grid_.user_group(block))];
  ++item_busy_[std::size_t(grid_.item_group(block))];
  return block;
}

void BlockScheduler::release(std::size_t block) {
  const std::lock_guard lock(mutex_);
  --user_busy_[std::size_t(grid_.user_group(block))];
  --item_busy_[std::size_t(grid_.item_group(block))];
}

}  // namespace recsys
