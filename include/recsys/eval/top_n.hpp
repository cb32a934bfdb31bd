#pragma once
// Every user's top k at once. A few users at a time are scored against
// panels of 16 movies in the vector registers (a dot product at a time would
// leave the vector units idle, and a matrix product would write every score
// to memory only for most to be thrown away); the rare score that can enter
// a list goes to a bounded heap.
#include <cstdint>
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

// One TopNLists per request, all selected from the same scores, ranked by
// logit (sigmoid is monotonic) with ties to the lower item index. The scores
// come from the active kernel set's score_panels, b_u + b_i + u.v summed in
// that order, and never leave the registers unless they can enter a list;
// blocks of users are shared out between threads (threads <= 0: one per core).
std::vector<TopNLists> top_n_all(const Embeddings& tables, const std::vector<TopNRequest>& requests,
                                 int threads);

}  // namespace recsys
