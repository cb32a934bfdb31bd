#include <algorithm>
#include <numeric>

#include "recsys/train/block_grid.hpp"

namespace recsys {

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
