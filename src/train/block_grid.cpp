#include "recsys/train/block_grid.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <thread>

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

// Sorts rows [begin, end) by item, their ratings with them: item and rating
// packed in one word, so one std::sort moves both.
template <typename Rating>
void sort_by_item(std::uint32_t* item, Rating* rating, std::size_t n,
                  std::vector<std::uint64_t>& scratch) {
  static_assert(sizeof(Rating) <= 4);
  scratch.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &rating[k], sizeof(Rating));
    scratch[k] = std::uint64_t(item[k]) << 32 | bits;
  }
  std::sort(scratch.begin(), scratch.end());
  for (std::size_t k = 0; k < n; ++k) {
    item[k] = static_cast<std::uint32_t>(scratch[k] >> 32);
    const auto bits = static_cast<std::uint32_t>(scratch[k]);
    std::memcpy(&rating[k], &bits, sizeof(Rating));
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
  rated_.offsets.assign(std::size_t(n_users) + 1, 0);
  for (std::size_t g = 0; g < gu; ++g) {
    const std::uint32_t first = user_first_[g];
    const auto by_user =
        bucket_in_place(rows, by_group[g], by_group[g + 1], user_first_[g + 1] - first,
                        [&](std::size_t k) { return std::size_t(rows.user[k] - first); });
    for (std::uint32_t u = first; u <= user_first_[g + 1]; ++u)
      rated_.offsets[u] = by_user[u - first];
  }
  // Each user's list is sorted on its own, so threads can share the users:
  // runs of users with about equal numbers of rows.
  auto sort_users = [&](std::uint32_t from, std::uint32_t to) {
    std::vector<std::uint64_t> scratch;
    for (std::uint32_t u = from; u < to; ++u) {
      const std::size_t a = rated_.offsets[u], n = rated_.offsets[u + 1] - a;
      if (rows.stars.coded())
        sort_by_item(rows.item.data() + a, rows.stars.codes().data() + a, n, scratch);
      else
        sort_by_item(rows.item.data() + a, rows.stars.floats().data() + a, n, scratch);
    }
  };
  const auto parts = static_cast<std::size_t>(std::clamp(threads, 1, 64));
  std::vector<std::uint32_t> first_user(parts + 1, n_users);
  for (std::size_t k = 0; k < parts; ++k)
    first_user[k] = static_cast<std::uint32_t>(std::lower_bound(rated_.offsets.begin(),
                                                                rated_.offsets.end() - 1,
                                                                rated_.offsets.back() * k / parts) -
                                               rated_.offsets.begin());
  {
    std::vector<std::jthread> helpers;
    for (std::size_t k = 1; k < parts; ++k)
      helpers.emplace_back(sort_users, first_user[k], first_user[k + 1]);
    sort_users(first_user[0], first_user[1]);
  }
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
