#pragma once
// Every user's top k at once. Users are scored in tiles of users x movies with
// one matrix product per tile (a dot product at a time would leave the CPU's
// vector units and caches idle), and each user's part of a tile is offered to
// a bounded heap; blocks of users are shared out between threads.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/train/model.hpp"

namespace recsys {

struct ScoredItem {
  float score;
  std::uint32_t item;
};

// True when a ranks before b: higher score first, equal scores to the lower item index.
inline bool ranks_before(const ScoredItem& a, const ScoredItem& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

// The k best of scores (index = item), best first, skipping every i with
// skip[i] != 0 (skip may be empty: nothing skipped). `out` is reused as the
// heap, so a caller looping over users allocates nothing per user.
void select_top_k(std::span<const float> scores, std::span<const std::uint8_t> skip, std::size_t k,
                  std::vector<ScoredItem>& out);

// Top-k lists of every user, k slots per user in one flat array.
struct TopNLists {
  std::size_t k = 0;                  // the list length asked for
  std::size_t stride = 0;             // slots per user: k, or fewer when the catalogue is smaller
  std::vector<std::uint32_t> length;  // per user; below k when fewer candidates remain
  std::vector<std::uint32_t> items;   // n_users x stride; row u holds length[u] items, best first
  std::vector<float> logits;          // scores (top_n_all: u.v + b_u + b_i), same layout

  std::size_t n_users() const { return length.size(); }
  std::span<const std::uint32_t> of(std::uint32_t user) const {
    return {items.data() + std::size_t(user) * stride, length[user]};
  }
  std::span<const float> logits_of(std::uint32_t user) const {
    return {logits.data() + std::size_t(user) * stride, length[user]};
  }
};

// What one set of lists leaves out: every item in a user's row of any of
// `exclude`, unless the user's row of `keep` holds it too (the rows under
// evaluation stay candidates although the model file records them as rated).
struct TopNRequest {
  std::size_t k = 10;
  std::vector<const RatedItems*> exclude;
  const RatedItems* keep = nullptr;
};

// Sets skip[i] for every item the request leaves out of the user's list
// (skip: one flag per item, all clear); false when it leaves out nothing.
// clear_excluded clears them again, so one mask serves every user at the cost
// of the user's excluded items instead of the catalogue.
inline bool mark_excluded(const TopNRequest& req, std::uint32_t user,
                          std::vector<std::uint8_t>& skip) {
  bool any = false;
  for (const RatedItems* ex : req.exclude)
    if (ex && user < ex->n_users())
      for (const auto i : ex->of(user)) {
        skip[i] = 1;
        any = true;
      }
  if (any && req.keep && user < req.keep->n_users())
    for (const auto i : req.keep->of(user)) skip[i] = 0;
  return any;
}
inline void clear_excluded(const TopNRequest& req, std::uint32_t user,
                           std::vector<std::uint8_t>& skip) {
  for (const RatedItems* ex : req.exclude)
    if (ex && user < ex->n_users())
      for (const auto i : ex->of(user)) skip[i] = 0;
}
// The same rule for one item, by binary search: for callers that ask only
// about the few items that would enter a list.
inline bool is_excluded(const TopNRequest& req, std::uint32_t user, std::uint32_t item) {
  bool out = false;
  for (const RatedItems* ex : req.exclude)
    if (ex && user < ex->n_users() && ex->contains(user, item)) out = true;
  return out && !(req.keep && user < req.keep->n_users() && req.keep->contains(user, item));
}

// The scores u.v + b_u + b_i of every user against the whole catalogue, one
// tile of users x movies at a time (row-major, rows x cols, valid during the
// call), small enough to stay in cache while it is read. A block of users
// goes to one worker, which computes its tiles in movie order (first_item 0
// first); blocks are shared out between threads (threads <= 0: one per core;
// worker < threads). top_n_all selects from these; the benchmark times them bare.
struct ScoreTile {
  int worker;
  std::size_t first_user, rows, first_item, cols;
  const float* scores;
};
using ScoreTileFn = std::function<void(const ScoreTile&)>;
void for_each_score_tile(const Embeddings& tables, int threads, const ScoreTileFn& on_tile);

// What computes the tiles' product u.v: "OpenBLAS" when the build found it,
// else "Eigen". The two agree to float rounding, not to the bit.
const char* score_product_backend();

// One TopNLists per request, all selected from the same scores, ranked by
// logit (sigmoid is monotonic) with ties to the lower item index.
// threads <= 0: one per core.
std::vector<TopNLists> top_n_all(const Embeddings& tables, const std::vector<TopNRequest>& requests,
                                 int threads);

}  // namespace recsys
