#pragma once
// Stratified shuffling for models larger than the cache (the block idea of
// LIBMF's FPSGD). Users are cut into U groups of consecutive indexes and items
// into I groups, and the training rows are sorted once, in place, into the U x I
// blocks of that grid. An epoch then hands out the blocks in a random order
// and shuffles the rows inside each block just before training on it.
//
// Why: with one global shuffle every rating reads and writes a random user
// row and a random item row (weights and both Adam moments), and once the
// tables outgrow the cache each of those is a trip to memory. A block's
// ratings touch one user group and one item group. Item groups are few and
// sized for the L3 cache, user groups many and sized for L2, and a thread
// keeps its item group while it runs through user groups: the item rows stay
// in L3 and only the small user group is fetched per block. Two blocks that
// share no user group and no item group never touch the same row, so threads
// working on such blocks never collide.
#include <cstdint>
#include <mutex>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {

class BlockGrid {
 public:
  // Cuts users into user_groups and items into item_groups runs of
  // consecutive indexes (1..255 groups, balanced by number of ratings) and
  // reorders rows by block. Deterministic for the same rows in the same order.
  BlockGrid(Ratings& rows, std::uint32_t n_users, std::uint32_t n_items, int user_groups,
            int item_groups);

  int user_groups() const { return user_groups_; }
  int item_groups() const { return item_groups_; }
  std::size_t blocks() const { return start_.size() - 1; }
  std::size_t begin(std::size_t block) const { return start_[block]; }
  std::size_t end(std::size_t block) const { return start_[block + 1]; }
  int user_group(std::size_t block) const { return static_cast<int>(block) / item_groups_; }
  int item_group(std::size_t block) const { return static_cast<int>(block) % item_groups_; }

  // Fisher-Yates over the rows of one block, all three arrays in step. The
  // generator is derived from (epoch_seed, block) alone, so the order inside a
  // block does not depend on which thread trains it or when.
  void shuffle_block(Ratings& rows, std::size_t block, std::uint64_t epoch_seed) const;

  // Groups needed so that one group of n rows (at bytes_per_row each) takes
  // at most target_bytes; at least `minimum`, at most 255.
  static int groups_for(std::uint32_t n, std::size_t bytes_per_row, std::size_t target_bytes,
                        int minimum);

 private:
  int user_groups_, item_groups_;
  std::vector<std::size_t> start_;  // blocks + 1 offsets into rows
};

// Hands out the blocks of one epoch to threads: each block once, in the
// epoch's random order, preferring a block in the item group the thread just
// trained, and skipping ahead to the first block whose user group and item
// group no other thread holds. When every remaining block conflicts (near
// the end of an epoch) it hands out the first anyway rather than make a thread
// wait: a rare overlap is a Hogwild-style race, which costs nothing in
// accuracy, while a wait would stall a core. One thread gets exactly the
// epoch's order.
class BlockScheduler {
 public:
  BlockScheduler(const BlockGrid& grid, Rng& rng);  // draws the epoch's order

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  // The next block, or kNone when the epoch is done. A thread passes the
  // block it just released, so that it can stay in that block's item group.
  std::size_t claim(std::size_t previous = kNone);
  void release(std::size_t block);

 private:
  const BlockGrid& grid_;
  std::mutex mutex_;
  std::vector<std::size_t> pending_;  // in the order still to hand out
  std::vector<int> user_busy_, item_busy_;
};

}  // namespace recsys
