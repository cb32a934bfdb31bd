#include "recsys/eval/top_n.hpp"

#include "recsys/kernels/kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#ifdef RECSYS_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A tile is kBlockUsers users x kTileItems movies, 1 MB: it stays in a core's
// L2 from the product that writes it to the selection that reads it (a whole
// row block of a 60k-movie catalogue would go out to memory and back). Square
// tiles of 512 measured fastest on the 25M file (docs/performance.md); scores
// are tested for the heap kChunk at a time.
constexpr std::size_t kBlockUsers = 512;
constexpr std::size_t kTileItems = 512;
constexpr int kChunk = 16;

// A table with two columns appended, [vec, bias, 1] for users and [vec, 1,
// bias] for movies, so that one matrix product gives u.v + b_u + b_i: a
// separate pass adding the biases cost a sixth of top-N's time.
std::vector<float> with_bias_columns(const std::vector<float>& vec, const std::vector<float>& bias,
                                     int dim, bool bias_first) {
  const std::size_t n = bias.size(), width = std::size_t(dim) + 2;
  std::vector<float> out(n * width);
  for (std::size_t r = 0; r < n; ++r) {
    float* row = out.data() + r * width;
    std::copy_n(vec.data() + r * std::size_t(dim), dim, row);
    row[dim] = bias_first ? bias[r] : 1.0f;
    row[dim + 1] = bias_first ? 1.0f : bias[r];
  }
  return out;
}

// tile (rows x cols, row-major) = users (rows x k) . items (cols x k)', both row-major.
void score_tile(const float* users, std::size_t rows, const float* items, std::size_t cols, int k,
                float* tile) {
#ifdef RECSYS_HAVE_OPENBLAS
  // Our workers each compute their own tiles: OpenBLAS's threads would only
  // compete with them for the same cores.
  static std::once_flag single_threaded;
  std::call_once(single_threaded, [] { openblas_set_num_threads(1); });
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
              static_cast<int>(cols), k, 1.0f, users, k, items, k, 0.0f, tile,
              static_cast<int>(cols));
#else
  Eigen::Map<RowMatrix>(tile, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols))
      .noalias() =
      Eigen::Map<const RowMatrix>(users, static_cast<Eigen::Index>(rows), k) *
      Eigen::Map<const RowMatrix>(items, static_cast<Eigen::Index>(cols), k).transpose();
#endif
}

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

}  // namespace

const char* score_product_backend() {
#ifdef RECSYS_HAVE_OPENBLAS
  return "OpenBLAS";
#else
  return "Eigen";
#endif
}

void select_top_k(std::span<const float> scores, std::span<const std::uint8_t> skip, std::size_t k,
                  std::vector<ScoredItem>& out) {
  out.clear();
  const bool has_skip = !skip.empty();
  offer(
      scores, 0, k, [&](std::uint32_t i) { return has_skip && skip[i] != 0; }, out);
  std::sort_heap(out.begin(), out.end(), worse_first);
}

void for_each_score_tile(const Embeddings& tables, int threads, const ScoreTileFn& on_tile) {
  const std::size_t n_users = tables.n_users, n_items = tables.n_items;
  if (n_users == 0 || n_items == 0) return;
  const std::size_t blocks = (n_users + kBlockUsers - 1) / kBlockUsers;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(threads, blocks));
  const int k = tables.dim + 2;
  const std::vector<float> users =
      with_bias_columns(tables.user_vec, tables.user_bias, tables.dim, true);
  const std::vector<float> items =
      with_bias_columns(tables.item_vec, tables.item_bias, tables.dim, false);
  std::atomic<std::size_t> next_block{0};
  WorkerPool pool(threads);
  pool.run([&](int worker) {
    std::vector<float> tile(kBlockUsers * std::min(kTileItems, n_items));
    for (std::size_t b; (b = next_block.fetch_add(1, std::memory_order_relaxed)) < blocks;) {
      const std::size_t first = b * kBlockUsers;
      const std::size_t rows = std::min(kBlockUsers, n_users - first);
      for (std::size_t item = 0; item < n_items; item += kTileItems) {
        const std::size_t cols = std::min(kTileItems, n_items - item);
        score_tile(users.data() + first * std::size_t(k), rows,
                   items.data() + item * std::size_t(k), cols, k, tile.data());
        on_tile({worker, first, rows, item, cols, tile.data()});
      }
    }
  });
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
  // Per worker: a heap per request and user of the block it is on.
  const int workers =
      threads <= 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : threads;
  std::vector<std::vector<std::vector<ScoredItem>>> heaps(
      static_cast<std::size_t>(workers),
      std::vector<std::vector<ScoredItem>>(requests.size() * kBlockUsers));
  for_each_score_tile(tables, workers, [&](const ScoreTile& t) {
    auto& mine = heaps[static_cast<std::size_t>(t.worker)];
    for (std::size_t q = 0; q < requests.size(); ++q)
      for (std::size_t r = 0; r < t.rows; ++r) {
        auto& heap = mine[q * kBlockUsers + r];
        if (t.first_item == 0) heap.clear();
        const auto user = static_cast<std::uint32_t>(t.first_user + r);
        const TopNRequest& req = requests[q];
        offer(
            {t.scores + r * t.cols, t.cols}, static_cast<std::uint32_t>(t.first_item), req.k,
            [&](std::uint32_t item) { return is_excluded(req, user, item); }, heap);
        if (t.first_item + t.cols < n_items) continue;
        // The block's last tile: the heap holds the user's list.
        std::sort_heap(heap.begin(), heap.end(), worse_first);
        TopNLists& out = lists[q];
        out.length[user] = static_cast<std::uint32_t>(heap.size());
        for (std::size_t j = 0; j < heap.size(); ++j) {
          out.items[user * out.stride + j] = heap[j].item;
          out.logits[user * out.stride + j] = heap[j].score;
        }
      }
  });
  return lists;
}

}  // namespace recsys
