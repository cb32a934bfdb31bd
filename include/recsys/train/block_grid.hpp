#pragma once
// Stratified shuffling for models larger than the cache (the block idea of
// LIBMF's FPSGD). Users are cut into U groups of consecutive indexes and items
// into I groups, and the training rows fall into the U x I blocks of that
// grid. An epoch then hands out the blocks in a random order and shuffles the
// rows inside each block just before training on it.
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
//
// The grid keeps the rows as each user's rated movies, ascending (the
// model's list of rated movies, which the model file needs anyway), with a
// byte per rating beside them: 5 bytes a rating where a list of (user,
// movie, rating) rows takes 9 and the rated-movies list another 4. A user's
// movies in one item group are one run of that list, so a block is the runs
// of its users, copied to a small per-thread buffer and shuffled there.
#include <cstdint>
#include <mutex>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/train/model.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {

// One block's rows, in the order a thread trains them: a buffer each thread
// reuses from block to block.
struct BlockRows {
  std::vector<std::uint32_t> user, item;
  std::vector<std::uint8_t> codes;  // or, when the ratings are floats:
  std::vector<float> floats;
};

class BlockGrid {
 public:
  // Cuts users into user_groups and items into item_groups runs of
  // consecutive indexes (1..255 groups, balanced by number of ratings) and
  // takes the rows over, sorted by user then item. Deterministic for the same
  // rows in the same order, whatever `threads` (which sort the user groups).
  BlockGrid(Ratings&& rows, std::uint32_t n_users, std::uint32_t n_items, int user_groups,
            int item_groups, int threads = 1);

  int user_groups() const { return user_groups_; }
  int item_groups() const { return item_groups_; }
  std::size_t blocks() const { return block_rows_.size(); }
  std::size_t rows_in(std::size_t block) const { return block_rows_[block]; }
  std::size_t size() const { return rated_.items.size(); }
  int user_group(std::size_t block) const { return static_cast<int>(block) / item_groups_; }
  int item_group(std::size_t block) const { return static_cast<int>(block) % item_groups_; }
  // The first index of each group, and one past the last group's: group g is
  // [first_user(g), first_user(g + 1)).
  std::uint32_t first_user(int group) const { return user_first_[std::size_t(group)]; }
  std::uint32_t first_item(int group) const { return item_first_[std::size_t(group)]; }

  // Copies one block's rows into buffer and shuffles them (Fisher-Yates). The
  // generator is derived from (epoch_seed, block) alone, so the order does
  // not depend on which thread trains the block or when. The view reads the
  // buffer and this grid's codebook.
  TrainingRows gather(std::size_t block, std::uint64_t epoch_seed, BlockRows& buffer,
                      const Scaler& scaler) const;

  // The training pairs as the model keeps them (repeated pairs dropped).
  RatedItems rated_items() const;
  RatedItems into_rated_items() &&;
  // The rows back, sorted by user then item.
  Ratings into_ratings() &&;

  // Groups needed so that one group of n rows (at bytes_per_row each) takes
  // at most target_bytes; at least `minimum`, at most 255.
  static int groups_for(std::uint32_t n, std::size_t bytes_per_row, std::size_t target_bytes,
                        int minimum);

 private:
  // Where user u's movies of item group g start in u's list.
  std::uint32_t cut(std::uint32_t u, std::size_t g) const;

  int user_groups_, item_groups_;
  std::vector<std::uint32_t> user_first_, item_first_;  // groups + 1 each
  RatedItems rated_;                                    // offsets per user, movies ascending
  StarColumn stars_;                                    // beside rated_.items
  std::vector<std::uint32_t> cuts_;  // per inner item-group seam, each user's cut in its list
  std::vector<std::size_t> block_rows_;
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
