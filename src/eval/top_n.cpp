#include "recsys/eval/top_n.hpp"

#include "recsys/kernels/kernels.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <thread>

#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

// Scores are tested for the heap kChunk at a time (select_top_k).
constexpr int kChunk = 16;

// The heap order: its front is the worst item kept, so each candidate costs
// one comparison against it, and only the rare better one costs log k.
constexpr auto worse_first = [](const ScoredItem& a, const ScoredItem& b) {
  return ranks_before(a, b);
};

// Offers scores[j], the score of item first + j, to a heap of at most k items
// whose front is the worst kept, leaving out every item with skip(item).
// Scores come in item order, so an equal score never displaces the lower
// index already kept; skip is asked only of items that would enter.
template <typename Skip>
void offer(std::span<const float> scores, std::uint32_t first, std::size_t k, const Skip& skip,
           std::vector<ScoredItem>& heap) {
  if (k == 0) return;
  const std::size_t n = scores.size();
  std::size_t j = 0;
  for (; j < n && heap.size() < k; ++j) {
    const std::uint32_t item = first + static_cast<std::uint32_t>(j);
    if (skip(item)) continue;
    heap.push_back({scores[j], item});
    std::push_heap(heap.begin(), heap.end(), worse_first);
  }
  if (heap.size() < k) return;
  float threshold = heap.front().score;
  // Runs of kChunk scores none of which can enter are skipped by the kernel
  // (a vector compare per run); only a run with a candidate is walked here.
  const auto first_run_above = kernels::active().first_run_above;
  while (j < n) {
    if (j % kChunk == 0 && j + kChunk <= n) {
      j += first_run_above(scores.data() + j, n - j, threshold);
      if (j >= n) break;
    }
    // To the end of this run, so that the next starts on a multiple of kChunk.
    const std::size_t end = std::min(n, (j / kChunk + 1) * kChunk);
    for (; j < end; ++j) {
      if (!(scores[j] > threshold)) continue;
      const std::uint32_t item = first + static_cast<std::uint32_t>(j);
      if (skip(item)) continue;
      std::pop_heap(heap.begin(), heap.end(), worse_first);
      heap.back() = {scores[j], item};
      std::push_heap(heap.begin(), heap.end(), worse_first);
      threshold = heap.front().score;
    }
  }
}

// Movies per panel of the score kernel, and groups of kernel rows per block
// of users a worker claims (its heaps and copied rows are reused).
constexpr std::size_t kPanel = 16;
constexpr std::size_t kCallsPerBlock = 40;

// The movie table in the score kernel's panels (kernels.hpp: per 16 movies,
// their biases, then each coordinate's 16 values). The last panel is padded
// with movies of bias -inf and zero vectors, which never rank above anything.
std::vector<float> pack_panels(const Embeddings& t) {
  const std::size_t dim = std::size_t(t.dim), n = t.n_items;
  const std::size_t count = (n + kPanel - 1) / kPanel, panel_floats = (dim + 1) * kPanel;
  std::vector<float> out(count * panel_floats, 0.0f);
  for (std::size_t i = 0; i < count * kPanel; ++i) {
    float* panel = out.data() + (i / kPanel) * panel_floats;
    const std::size_t lane = i % kPanel;
    panel[lane] = i < n ? t.item_bias[i] : -std::numeric_limits<float>::infinity();
    if (i < n)
      for (std::size_t d = 0; d < dim; ++d) panel[kPanel + d * kPanel + lane] = t.item_row(i)[d];
  }
  return out;
}

// One worker's block of users: a heap per request and row, and each row's
// threshold, the score a movie must beat to enter any of the row's lists.
// A row's candidates come in movie order, so each request's excluded lists
// are walked with a cursor per row instead of a binary search per candidate.
struct BlockLists {
  BlockLists(const std::vector<TopNRequest>& requests, std::size_t rows, std::size_t n_items)
      : requests(requests),
        capacity(rows),
        n_items(n_items),
        heaps(requests.size() * rows),
        threshold(rows) {
    for (const TopNRequest& req : requests) {
      cursor_base.push_back(cursors_per_row);
      cursors_per_row += req.exclude.size() + 1;  // + keep
    }
    cursors.resize(cursors_per_row * rows);
  }

  void start(std::uint32_t first, std::size_t count) {
    first_user = first;
    rows = count;
    for (auto& h : heaps) h.clear();
    std::fill(cursors.begin(), cursors.end(), 0u);
    for (std::size_t r = 0; r < capacity; ++r)
      threshold[r] = r < rows ? row_threshold(r) : std::numeric_limits<float>::infinity();
  }

  // NaN while a list is not full (every movie may enter), +inf when every
  // request asks for 0, else the lowest score at the front of a full heap.
  float row_threshold(std::size_t r) const {
    float t = std::numeric_limits<float>::infinity();
    for (std::size_t q = 0; q < requests.size(); ++q) {
      if (requests[q].k == 0) continue;
      const auto& heap = heaps[q * capacity + r];
      if (heap.size() < requests[q].k) return std::numeric_limits<float>::quiet_NaN();
      t = std::min(t, heap.front().score);
    }
    return t;
  }

  // True when `list` holds item, moving `at` past every smaller entry.
  static bool reaches(std::span<const std::uint32_t> list, std::uint32_t& at, std::uint32_t item) {
    while (at < list.size() && list[at] < item) ++at;
    return at < list.size() && list[at] == item;
  }

  // is_excluded's rule, with the row's cursors (items must come in order).
  bool excluded(std::size_t q, std::size_t r, std::uint32_t user, std::uint32_t item) {
    const TopNRequest& req = requests[q];
    std::uint32_t* at = cursors.data() + r * cursors_per_row + cursor_base[q];
    bool out = false;
    for (std::size_t e = 0; e < req.exclude.size(); ++e) {
      const RatedItems* ex = req.exclude[e];
      if (ex && user < ex->n_users() && reaches(ex->of(user), at[e], item)) out = true;
    }
    return out && !(req.keep && user < req.keep->n_users() &&
                    reaches(req.keep->of(user), at[req.exclude.size()], item));
  }

  // The kernel's sink: offers the panel's candidate movies to the row's heaps
  // in movie order, so an equal score never displaces the lower index kept.
  static void offer_panel(void* context, std::size_t row, std::size_t panel, const float* scores,
                          unsigned lanes) {
    auto& b = *static_cast<BlockLists*>(context);
    const std::size_t r = b.group_row + row;
    const auto user = static_cast<std::uint32_t>(b.first_user + r);
    for (; lanes; lanes &= lanes - 1) {
      const auto j = static_cast<std::size_t>(__builtin_ctz(lanes));
      const std::size_t item = panel * kPanel + j;
      if (item >= b.n_items) break;
      for (std::size_t q = 0; q < b.requests.size(); ++q) {
        const TopNRequest& req = b.requests[q];
        auto& heap = b.heaps[q * b.capacity + r];
        const bool filling = heap.size() < req.k;
        if (!filling && !(req.k > 0 && scores[j] > heap.front().score)) continue;
        if (b.excluded(q, r, user, static_cast<std::uint32_t>(item))) continue;
        if (!filling) {
          std::pop_heap(heap.begin(), heap.end(), worse_first);
          heap.pop_back();
        }
        heap.push_back({scores[j], static_cast<std::uint32_t>(item)});
        std::push_heap(heap.begin(), heap.end(), worse_first);
      }
    }
    b.threshold[r] = b.row_threshold(r);
  }

  // Each row's heaps, best first, into the lists.
  void finish(std::vector<TopNLists>& lists) {
    for (std::size_t q = 0; q < requests.size(); ++q)
      for (std::size_t r = 0; r < rows; ++r) {
        auto& heap = heaps[q * capacity + r];
        std::sort_heap(heap.begin(), heap.end(), worse_first);
        TopNLists& out = lists[q];
        const std::size_t user = first_user + r;
        out.length[user] = static_cast<std::uint32_t>(heap.size());
        for (std::size_t j = 0; j < heap.size(); ++j) {
          out.items[user * out.stride + j] = heap[j].item;
          out.logits[user * out.stride + j] = heap[j].score;
        }
      }
  }

  const std::vector<TopNRequest>& requests;
  std::size_t capacity, n_items;
  std::vector<std::vector<ScoredItem>> heaps;  // request q, row r: heaps[q * capacity + r]
  std::vector<float> threshold;
  std::size_t cursors_per_row = 0;
  std::vector<std::size_t> cursor_base;  // request q's first cursor within a row's
  std::vector<std::uint32_t> cursors;    // row r's at r * cursors_per_row
  std::uint32_t first_user = 0;
  std::size_t rows = 0, group_row = 0;
};

}  // namespace

void select_top_k(std::span<const float> scores, std::span<const std::uint8_t> skip, std::size_t k,
                  std::vector<ScoredItem>& out) {
  out.clear();
  const bool has_skip = !skip.empty();
  offer(
      scores, 0, k, [&](std::uint32_t i) { return has_skip && skip[i] != 0; }, out);
  std::sort_heap(out.begin(), out.end(), worse_first);
}

std::vector<TopNLists> top_n_all(const Embeddings& tables, const std::vector<TopNRequest>& requests,
                                 int threads) {
  const std::size_t n_users = tables.n_users, n_items = tables.n_items;
  std::vector<TopNLists> lists(requests.size());
  for (std::size_t r = 0; r < requests.size(); ++r) {
    lists[r].k = requests[r].k;
    lists[r].stride = std::min(requests[r].k, n_items);
    lists[r].length.assign(n_users, 0);
    lists[r].items.assign(n_users * lists[r].stride, 0);
    lists[r].logits.assign(n_users * lists[r].stride, 0.0f);
  }
  if (n_users == 0 || n_items == 0 || requests.empty()) return lists;
  const kernels::KernelSet& set = kernels::active();
  const std::size_t dim = std::size_t(tables.dim), rows_per_call = set.score_rows;
  const std::size_t block_rows = rows_per_call * kCallsPerBlock;
  const std::size_t blocks = (n_users + block_rows - 1) / block_rows;
  const std::vector<float> panels = pack_panels(tables);
  const std::size_t n_panels = panels.size() / ((dim + 1) * kPanel);
  // Panels a call scores: about 32 KB of them, so that they stay in L1
  // while every group of users of the block goes over them.
  const std::size_t chunk = std::max<std::size_t>(1, 32768 / ((dim + 1) * kPanel * sizeof(float)));
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(std::size_t(threads), blocks));
  std::atomic<std::size_t> next_block{0};
  WorkerPool pool(threads);
  pool.run([&](int) {
    BlockLists block(requests, block_rows, n_items);
    std::vector<float> users(block_rows * dim), user_bias(block_rows);
    for (std::size_t b; (b = next_block.fetch_add(1, std::memory_order_relaxed)) < blocks;) {
      const std::size_t first = b * block_rows, rows = std::min(block_rows, n_users - first);
      // Rows past the last user (zero vector, zero bias) face a threshold of +inf: never a
      // candidate.
      const std::size_t padded = (rows + rows_per_call - 1) / rows_per_call * rows_per_call;
      std::fill(users.begin(), users.end(), 0.0f);
      std::fill(user_bias.begin(), user_bias.end(), 0.0f);
      std::copy_n(tables.user_vec.data() + first * dim, rows * dim, users.begin());
      std::copy_n(tables.user_bias.data() + first, rows, user_bias.begin());
      block.start(static_cast<std::uint32_t>(first), rows);
      for (std::size_t c = 0; c < n_panels; c += chunk)
        for (std::size_t g = 0; g < padded; g += rows_per_call) {
          block.group_row = g;
          set.score_panels({dim, users.data() + g * dim, user_bias.data() + g, panels.data(), c,
                            std::min(chunk, n_panels - c), block.threshold.data() + g},
                           &BlockLists::offer_panel, &block);
        }
      block.finish(lists);
    }
  });
  return lists;
}

}  // namespace recsys
