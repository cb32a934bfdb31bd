#include "recsys/train/block_grid.hpp"

#include "recsys/util/thread_parts.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <numeric>
#include <utility>

namespace recsys {
namespace {

// The first index of each of `groups` runs of consecutive indexes, cut where
// the running count of ratings passes each 1/groups of the total, so groups
// carry about equal numbers of ratings even when activity is Zipf-like; then
// n. Consecutive, not dealt at random: a group's rows are then one stretch of
// each table, so a cache line (of weights, moments or biases) never holds
// rows of two groups, and two threads in different groups never write to the
// same line (random dealing would make every bias update a false-sharing miss).
std::vector<std::uint32_t> group_starts(const std::vector<std::uint32_t>& index, std::uint32_t n,
                                        int groups) {
  std::vector<std::uint64_t> count(n, 0);
  for (const auto x : index) ++count[x];
  const std::uint64_t total = std::max<std::uint64_t>(index.size(), 1);
  std::vector<std::uint32_t> first(std::size_t(groups) + 1, n);
  first[0] = 0;
  std::uint64_t before = 0;
  int group = 0;
  for (std::uint32_t x = 0; x < n; ++x) {
    const auto g = static_cast<int>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(groups) - 1, before * groups / total));
    while (group < g) first[std::size_t(++group)] = x;
    before += count[x];
  }
  return first;
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

// One thread's buffers for sorting a user group's rows.
template <typename Rating>
struct GroupScratch {
  std::vector<std::uint32_t> user, item, count;
  std::vector<Rating> rating;
};

// One stable counting pass: rows [0, n) of (user, item, rating) go to `to`
// in the order of bucket(row), rows of one bucket in their old order.
// `count` holds the buckets' sizes on entry.
template <typename Rating, typename Bucket>
void scatter(const std::uint32_t* user, const std::uint32_t* item, const Rating* rating,
             std::size_t n, std::vector<std::uint32_t>& count, Bucket bucket,
             std::uint32_t* to_user, std::uint32_t* to_item, Rating* to_rating) {
  std::uint32_t at = 0;
  for (auto& c : count) at += std::exchange(c, at);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t to = count[bucket(k)]++;
    if (to_user) to_user[to] = user[k];
    to_item[to] = item[k];
    to_rating[to] = rating[k];
  }
}

// Sorts one user group's rows [0, n) by user, then item, then rating bits
// (the order of one sort of (item, rating) words per user), and writes each
// user's start, counted from `base`, into offsets[first_user ..]. Counting
// passes (LSD radix: by item in digits of up to 16 bits, then by user), each
// stable, over a group that fits the cache: linear in the rows where a
// comparison sort per user took most of the grid's set-up.
template <typename Rating>
void sort_group(std::uint32_t* user, std::uint32_t* item, Rating* rating, std::size_t n,
                std::uint32_t first_user, std::uint32_t users, int item_bits, std::size_t base,
                std::uint64_t* offsets, GroupScratch<Rating>& s) {
  s.user.resize(n);
  s.item.resize(n);
  s.rating.resize(n);
  // Where the rows are before each pass: the group's own arrays (in) or the scratch.
  bool in = true;
  const int digits = item_bits > 16 ? 2 : 1;
  const int digit_bits = (item_bits + digits - 1) / digits;
  const std::uint32_t mask = (std::uint32_t(1) << digit_bits) - 1;
  for (int d = 0; d < digits; ++d) {
    const int shift = d * digit_bits;
    const std::uint32_t* from_item = in ? item : s.item.data();
    s.count.assign(std::size_t(mask) + 1, 0);
    for (std::size_t k = 0; k < n; ++k) ++s.count[(from_item[k] >> shift) & mask];
    const auto by_digit = [&](std::size_t k) { return (from_item[k] >> shift) & mask; };
    if (in)
      scatter(user, item, rating, n, s.count, by_digit, s.user.data(), s.item.data(),
              s.rating.data());
    else
      scatter(s.user.data(), s.item.data(), s.rating.data(), n, s.count, by_digit, user, item,
              rating);
    in = !in;
  }
  const std::uint32_t* from_user = in ? user : s.user.data();
  s.count.assign(users, 0);
  for (std::size_t k = 0; k < n; ++k) ++s.count[from_user[k] - first_user];
  for (std::uint32_t u = 0, at = 0; u < users; at += s.count[u++])
    offsets[first_user + u] = base + at;
  const auto by_user = [&](std::size_t k) { return from_user[k] - first_user; };
  // The last pass needs no users: the offsets hold them from here on.
  if (in) {
    scatter(user, item, rating, n, s.count, by_user, nullptr, s.item.data(), s.rating.data());
    std::copy_n(s.item.data(), n, item);
    std::copy_n(s.rating.data(), n, rating);
  } else {
    scatter(s.user.data(), s.item.data(), s.rating.data(), n, s.count, by_user, nullptr, item,
            rating);
  }
  // A pair repeated in a user's list (the load drops them, a caller may
  // not): its ratings by their bits, as one sort of (item, rating) words had them.
  const auto bits = [&](std::size_t k) {
    std::uint32_t b = 0;
    std::memcpy(&b, &rating[k], sizeof(Rating));
    return b;
  };
  for (std::uint32_t u = 0; u < users; ++u) {
    const std::size_t a = offsets[first_user + u] - base;
    const std::size_t b = u + 1 < users ? offsets[first_user + u + 1] - base : n;
    for (std::size_t k = a + 1; k < b; ++k)
      for (std::size_t j = k; j > a && item[j] == item[j - 1] && bits(j) < bits(j - 1); --j)
        std::swap(rating[j], rating[j - 1]);
  }
}

}  // namespace

BlockGrid::BlockGrid(Ratings&& rows, std::uint32_t n_users, std::uint32_t n_items, int user_groups,
                     int item_groups, int threads)
    : user_groups_(std::clamp(user_groups, 1, 255)), item_groups_(std::clamp(item_groups, 1, 255)) {
  user_first_ = group_starts(rows.user, n_users, user_groups_);
  item_first_ = group_starts(rows.item, n_items, item_groups_);
  const auto gu = static_cast<std::size_t>(user_groups_);
  const auto gi = static_cast<std::size_t>(item_groups_);
  // In place, by user group and then by user inside each group: the second
  // pass works on one group's rows, which stay in cache, where one pass over
  // every user would write to thousands of places at once and miss the cache
  // at every swap.
  std::vector<std::uint8_t> group_of(n_users, 0);
  for (std::size_t g = 0; g < gu; ++g)
    std::fill(group_of.begin() + user_first_[g], group_of.begin() + user_first_[g + 1],
              std::uint8_t(g));
  const auto by_group = bucket_in_place(
      rows, 0, rows.size(), gu, [&](std::size_t k) { return std::size_t(group_of[rows.user[k]]); });
  std::vector<std::uint8_t>().swap(group_of);
  rated_.offsets.assign(std::size_t(n_users) + 1, rows.size());
  // Each group sorts on its own, so threads claim groups from a counter.
  int item_bits = 1;
  while (item_bits < 32 && (std::uint64_t(1) << item_bits) < n_items) ++item_bits;
  std::atomic<std::size_t> next_group{0};
  auto sort_groups = [&] {
    GroupScratch<std::uint8_t> codes;
    GroupScratch<float> floats;
    for (std::size_t g; (g = next_group++) < gu;) {
      const std::size_t a = by_group[g], n = by_group[g + 1] - a;
      const std::uint32_t first = user_first_[g], users = user_first_[g + 1] - first;
      if (rows.stars.coded())
        sort_group(rows.user.data() + a, rows.item.data() + a, rows.stars.codes().data() + a, n,
                   first, users, item_bits, a, rated_.offsets.data(), codes);
      else
        sort_group(rows.user.data() + a, rows.item.data() + a, rows.stars.floats().data() + a, n,
                   first, users, item_bits, a, rated_.offsets.data(), floats);
    }
  };
  run_thread_parts_or_throw(static_cast<std::size_t>(std::clamp(threads, 1, 64)),
                            [&](std::size_t) { sort_groups(); });
  std::vector<std::uint32_t>().swap(rows.user);
  rated_.items = std::move(rows.item);
  stars_ = std::move(rows.stars);
  rows = Ratings();

  // Each user's seams between item groups, and so each block's size. Seam by
  // seam, users in order: a block's gather then reads two runs of this table
  // front to back, as it reads the users' offsets.
  block_rows_.assign(gu * gi, 0);
  cuts_.resize(std::size_t(n_users) * (gi - 1));
  for (std::size_t g = 0; g < gu; ++g)
    for (std::uint32_t u = user_first_[g]; u < user_first_[g + 1]; ++u) {
      const auto list = rated_.of(u);
      for (std::size_t seam = 1; seam < gi; ++seam)
        cuts_[(seam - 1) * n_users + u] = static_cast<std::uint32_t>(
            std::lower_bound(list.begin(), list.end(), item_first_[seam]) - list.begin());
      for (std::size_t ig = 0; ig < gi; ++ig)
        block_rows_[g * gi + ig] += cut(u, ig + 1) - cut(u, ig);
    }
}

std::uint32_t BlockGrid::cut(std::uint32_t u, std::size_t g) const {
  const auto gi = static_cast<std::size_t>(item_groups_);
  if (g == 0) return 0;
  if (g == gi) return static_cast<std::uint32_t>(rated_.offsets[u + 1] - rated_.offsets[u]);
  return cuts_[(g - 1) * (rated_.offsets.size() - 1) + u];
}

TrainingRows BlockGrid::gather(std::size_t block, std::uint64_t epoch_seed, BlockRows& buffer,
                               const Scaler& scaler) const {
  const int ug = user_group(block);
  const auto ig = static_cast<std::size_t>(item_group(block));
  const bool coded = stars_.coded();
  buffer.user.clear();
  buffer.item.clear();
  buffer.codes.clear();
  buffer.floats.clear();
  for (std::uint32_t u = first_user(ug); u < first_user(ug + 1); ++u) {
    const std::size_t a = rated_.offsets[u] + cut(u, ig), b = rated_.offsets[u] + cut(u, ig + 1);
    buffer.user.insert(buffer.user.end(), b - a, u);
    buffer.item.insert(buffer.item.end(), rated_.items.begin() + std::ptrdiff_t(a),
                       rated_.items.begin() + std::ptrdiff_t(b));
    if (coded)
      buffer.codes.insert(buffer.codes.end(), stars_.codes().begin() + std::ptrdiff_t(a),
                          stars_.codes().begin() + std::ptrdiff_t(b));
    else
      buffer.floats.insert(buffer.floats.end(), stars_.floats().begin() + std::ptrdiff_t(a),
                           stars_.floats().begin() + std::ptrdiff_t(b));
  }
  Rng rng(epoch_seed ^ (0x9e3779b97f4a7c15ULL * (block + 1)));
  const std::size_t n = buffer.user.size();
  for (std::size_t i = n; i > 1; --i) {
    const std::size_t j = rng.below(i);
    std::swap(buffer.user[i - 1], buffer.user[j]);
    std::swap(buffer.item[i - 1], buffer.item[j]);
    if (coded)
      std::swap(buffer.codes[i - 1], buffer.codes[j]);
    else
      std::swap(buffer.floats[i - 1], buffer.floats[j]);
  }
  if (coded) return {buffer.user, buffer.item, {}, scaler, buffer.codes, stars_.codebook()};
  return {buffer.user, buffer.item, buffer.floats, scaler};
}

RatedItems BlockGrid::rated_items() const {
  RatedItems copy = rated_;
  copy.drop_repeats();
  return copy;
}

RatedItems BlockGrid::into_rated_items() && {
  stars_.clear_and_free();
  RatedItems out = std::move(rated_);
  out.drop_repeats();
  return out;
}

Ratings BlockGrid::into_ratings() && {
  Ratings rows;
  const std::size_t n_users = rated_.n_users();
  rows.user.reserve(size());
  for (std::uint32_t u = 0; u < n_users; ++u)
    rows.user.insert(rows.user.end(), rated_.offsets[u + 1] - rated_.offsets[u], u);
  rows.item = std::move(rated_.items);
  rows.stars = std::move(stars_);
  return rows;
}

int BlockGrid::groups_for(std::uint32_t n, std::size_t bytes_per_row, std::size_t target_bytes,
                          int minimum) {
  const std::size_t total = std::size_t(n) * bytes_per_row;
  const std::size_t wanted = (total + target_bytes - 1) / std::max<std::size_t>(target_bytes, 1);
  return static_cast<int>(std::clamp<std::size_t>(wanted, std::size_t(std::max(minimum, 1)), 255));
}

}  // namespace recsys
