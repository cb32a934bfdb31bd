#include "recsys/eval/top_n.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <thread>

#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// 64 users x the catalogue per product: large enough for the GEMM kernel to
// reach full speed, small enough that a block of scores (2.5 MB for 10k
// movies) stays near the cache while it is selected from.
constexpr std::size_t kBlockUsers = 64;

}  // namespace

void select_top_k(std::span<const float> scores, std::span<const std::uint8_t> skip, std::size_t k,
                  std::vector<ScoredItem>& out) {
  out.clear();
  if (k == 0) return;
  // A heap whose front is the worst item kept: each candidate costs one
  // comparison against it, and only the rare better one costs log k.
  const auto worse_first = [](const ScoredItem& a, const ScoredItem& b) {
    return ranks_before(a, b);
  };
  const std::size_t n = scores.size();
  const bool has_skip = !skip.empty();
  std::size_t i = 0;
  for (; i < n && out.size() < k; ++i) {
    if (has_skip && skip[i]) continue;
    out.push_back({scores[i], static_cast<std::uint32_t>(i)});
    std::push_heap(out.begin(), out.end(), worse_first);
  }
  if (out.size() == k) {
    float threshold = out.front().score;
    for (; i < n; ++i) {
      // Later items have higher indexes, so an equal score never displaces the kept one.
      if (!(scores[i] > threshold) || (has_skip && skip[i])) continue;
      std::pop_heap(out.begin(), out.end(), worse_first);
      out.back() = {scores[i], static_cast<std::uint32_t>(i)};
      std::push_heap(out.begin(), out.end(), worse_first);
      threshold = out.front().score;
    }
  }
  std::sort_heap(out.begin(), out.end(), worse_first);
}

void for_each_score_block(const Embeddings& tables, int threads, const ScoreBlockFn& on_block) {
  const std::size_t n_users = tables.n_users, n_items = tables.n_items;
  if (n_users == 0 || n_items == 0) return;
  const auto dim = static_cast<Eigen::Index>(tables.dim);
  const Eigen::Map<const RowMatrix> users(tables.user_vec.data(), n_users, dim);
  const Eigen::Map<const RowMatrix> items(tables.item_vec.data(), n_items, dim);
  const Eigen::Map<const Eigen::RowVectorXf> item_bias(tables.item_bias.data(), n_items);
  const std::size_t blocks = (n_users + kBlockUsers - 1) / kBlockUsers;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(threads, blocks));
  std::atomic<std::size_t> next_block{0};
  WorkerPool pool(threads);
  pool.run([&](int worker) {
    RowMatrix scores(kBlockUsers, n_items);
    for (std::size_t b; (b = next_block.fetch_add(1, std::memory_order_relaxed)) < blocks;) {
      const std::size_t first = b * kBlockUsers;
      const auto rows = static_cast<Eigen::Index>(std::min(kBlockUsers, n_users - first));
      auto block = scores.topRows(rows);
      block.noalias() =
          users.middleRows(static_cast<Eigen::Index>(first), rows) * items.transpose();
      for (Eigen::Index r = 0; r < rows; ++r)
        block.row(r).array() +=
            tables.user_bias[first + static_cast<std::size_t>(r)] + item_bias.array();
      on_block(worker, first, scores.data(), static_cast<std::size_t>(rows));
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
  std::size_t max_k = 0;
  for (const auto& req : requests) max_k = std::max(max_k, req.k);
  // Scratch per worker: the skip mask and the selection heap.
  const int workers =
      threads <= 0 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : threads;
  std::vector<std::vector<std::uint8_t>> skips(static_cast<std::size_t>(workers));
  std::vector<std::vector<ScoredItem>> tops(static_cast<std::size_t>(workers));
  for_each_score_block(
      tables, workers, [&](int worker, std::size_t first, const float* scores, std::size_t rows) {
        auto& skip = skips[static_cast<std::size_t>(worker)];
        auto& top = tops[static_cast<std::size_t>(worker)];
        if (skip.empty()) {
          skip.assign(n_items, 0);
          top.reserve(std::min(n_items, max_k));
        }
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t u = first + r;
          const std::span<const float> row(scores + r * n_items, n_items);
          for (std::size_t q = 0; q < requests.size(); ++q) {
            const TopNRequest& req = requests[q];
            const auto user = static_cast<std::uint32_t>(u);
            const bool any = mark_excluded(req, user, skip);
            select_top_k(
                row, any ? std::span<const std::uint8_t>(skip) : std::span<const std::uint8_t>(),
                req.k, top);
            if (any) clear_excluded(req, user, skip);
            TopNLists& out = lists[q];
            out.length[u] = static_cast<std::uint32_t>(top.size());
            for (std::size_t j = 0; j < top.size(); ++j) {
              out.items[u * out.stride + j] = top[j].item;
              out.logits[u * out.stride + j] = top[j].score;
            }
          }
        }
      });
  return lists;
}

}  // namespace recsys
