#include "recsys/data/split.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "keep_rows.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

void check_timestamps(const Ratings& rows, std::span<const std::int64_t> timestamps) {
  if (timestamps.size() != rows.size())
    throw Error("time split: " + std::to_string(timestamps.size()) + " timestamps for " +
                    std::to_string(rows.size()) + " rows",
                Error::Kind::Internal);
}

// Marks the n_latest latest of the rows whose indexes are in group. The
// order is strict (equal timestamps fall back to the row index), so which
// rows are marked does not depend on how nth_element arranges ties.
void mark_latest(std::span<std::uint32_t> group, std::span<const std::int64_t> timestamps,
                 std::size_t n_latest, std::vector<bool>& marked) {
  if (n_latest == 0) return;
  const auto later = [&](std::uint32_t a, std::uint32_t b) {
    return timestamps[a] != timestamps[b] ? timestamps[a] > timestamps[b] : a > b;
  };
  const auto cut = group.begin() + static_cast<std::ptrdiff_t>(n_latest);
  std::nth_element(group.begin(), cut, group.end(), later);
  for (auto it = group.begin(); it != cut; ++it) marked[*it] = true;
}

// Moves the marked rows to val and compacts the rest, both in file order.
void move_marked(Ratings& rows, const std::vector<bool>& marked, std::size_t n_marked,
                 Ratings& val) {
  val.reserve(val.size() + n_marked);
  keep_rows_if(rows, [&](std::size_t k) {
    if (!marked[k]) return true;
    val.push(rows.user[k], rows.item[k], rows.stars[k]);
    return false;
  });
  release_unused_capacity(rows.user);
  release_unused_capacity(rows.item);
  rows.stars.release_unused_capacity();
}

}  // namespace

std::size_t rows_to_hold_out(std::size_t n, double val_fraction) {
  return std::min<std::size_t>(
      n, static_cast<std::size_t>(std::ceil(val_fraction * static_cast<double>(n))));
}

HoldOutDraw::HoldOutDraw(std::size_t n, std::size_t hold, std::uint64_t seed)
    : rng_(seed), n_(n), needed_(hold) {}

bool HoldOutDraw::next() {
  // Algorithm S: row k is taken with probability needed / (n - k).
  const bool taken = needed_ > 0 && rng_.below(n_ - k_) < needed_;
  ++k_;
  needed_ -= taken;
  return taken;
}

void random_split(const Ratings& all, double val_fraction, std::uint64_t seed, Ratings& train,
                  Ratings& val) {
  Ratings copy = all;
  split_in_place(copy, val_fraction, seed, val);
  train = std::move(copy);
}

void split_in_place(Ratings& rows, double val_fraction, std::uint64_t seed, Ratings& val,
                    int threads) {
  // Selection sampling (Knuth's algorithm S): one sequential pass picks exactly
  // n_val rows, every subset of that size equally likely, with no permutation
  // array; training rows are compacted in place, so the split costs only the
  // validation rows' memory.
  const std::size_t n = rows.size();
  const std::size_t n_val = rows_to_hold_out(n, val_fraction);
  val.reserve(n_val);
  const auto move_row = [&](std::size_t k) { val.push(rows.user[k], rows.item[k], rows.stars[k]); };
  constexpr std::size_t kChunk = std::size_t(1) << 16;
  if (threads < 2 || n < 4 * kChunk) {
    HoldOutDraw draw(n, n_val, seed);
    keep_rows_if(rows, [&](std::size_t k) {
      if (!draw.next()) return true;
      move_row(k);
      return false;
    });
  } else {
    // Both the draws (each row's odds depend on the rows before it) and the
    // compaction are sequential, so they run as a pipeline: a helper thread
    // draws a chunk of rows ahead of the compaction that reads its answers.
    // A bit a row (a byte would add an eighth of the rows' memory to the
    // load's peak); chunks are whole words, so no word is written by the
    // drawer while the compaction reads it.
    static_assert(kChunk % 64 == 0);
    std::vector<std::uint64_t> taken((n + 63) / 64, 0);
    std::atomic<std::size_t> drawn{0};
    std::jthread drawer([&] {
      HoldOutDraw draw(n, n_val, seed);
      for (std::size_t begin = 0; begin < n; begin += kChunk) {
        const std::size_t end = std::min(n, begin + kChunk);
        for (std::size_t k = begin; k < end; ++k)
          if (draw.next()) taken[k / 64] |= std::uint64_t(1) << (k % 64);
        drawn.store(end, std::memory_order_release);
        drawn.notify_one();
      }
    });
    std::size_t ready = 0;
    keep_rows_if(rows, [&](std::size_t k) {
      while (k >= ready) {
        ready = drawn.load(std::memory_order_acquire);
        if (k >= ready) drawn.wait(ready, std::memory_order_acquire);
      }
      if (!(taken[k / 64] >> (k % 64) & 1)) return true;
      move_row(k);
      return false;
    });
  }
  release_unused_capacity(rows.user);
  release_unused_capacity(rows.item);
  rows.stars.release_unused_capacity();
}

std::vector<bool> mark_latest_of_each_user(const Ratings& rows,
                                           std::span<const std::int64_t> timestamps,
                                           double val_fraction, std::size_t n_users) {
  check_timestamps(rows, timestamps);
  const std::size_t n = rows.size();
  // Row indexes grouped by user, in file order within a user (a counting
  // sort): user u's rows are by_user[start[u] .. start[u + 1]).
  std::vector<std::size_t> start(n_users + 1, 0);
  for (const auto u : rows.user) ++start[u + 1];
  for (std::size_t u = 0; u < n_users; ++u) start[u + 1] += start[u];
  std::vector<std::uint32_t> by_user(n);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < n; ++k)
      by_user[next[rows.user[k]]++] = static_cast<std::uint32_t>(k);
  }
  std::vector<bool> marked(n, false);
  for (std::size_t u = 0; u < n_users; ++u) {
    const std::size_t n_u = start[u + 1] - start[u];
    if (n_u < 2) continue;
    const std::size_t n_val = std::min(rows_to_hold_out(n_u, val_fraction), n_u - 1);
    mark_latest(std::span(by_user).subspan(start[u], n_u), timestamps, n_val, marked);
  }
  return marked;
}

void user_time_split_in_place(Ratings& rows, std::span<const std::int64_t> timestamps,
                              double val_fraction, std::size_t n_users, Ratings& val) {
  const std::vector<bool> marked =
      mark_latest_of_each_user(rows, timestamps, val_fraction, n_users);
  move_marked(rows, marked, std::size_t(std::count(marked.begin(), marked.end(), true)), val);
}

void time_split_in_place(Ratings& rows, std::span<const std::int64_t> timestamps,
                         double val_fraction, Ratings& val) {
  check_timestamps(rows, timestamps);
  const std::size_t n = rows.size();
  const std::size_t n_val = rows_to_hold_out(n, val_fraction);
  std::vector<bool> marked(n, false);
  {
    std::vector<std::uint32_t> order(n);
    for (std::size_t k = 0; k < n; ++k) order[k] = static_cast<std::uint32_t>(k);
    mark_latest(order, timestamps, n_val, marked);
  }
  move_marked(rows, marked, n_val, val);
}

}  // namespace recsys
