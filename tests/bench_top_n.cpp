// recsys_bench_top_n MODEL [THREADS [REPEATS]]: how much every user's top 10 (rated
// movies excluded, as `recsys topn --all-users`) costs over the bare score
// matrix product it selects from. Prints one JSON line on stdout:
//   {"users":..., "movies":..., "bare_s":..., "topn_s":..., "ratio":..., "product":...}
// Each figure is the best of REPEATS runs (default 3). Used by scripts/bench.sh.
//
// The bare product is the yardstick, not part of recsys: every user's scores
// u.v + b_u + b_i written out tile by tile (512 users x 512 movies, so a tile
// stays in cache), through OpenBLAS's sgemm where the build found it
// (RECSYS_OPENBLAS), else Eigen, and never read back but for one number a tile.
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#ifdef RECSYS_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "bench_timing.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/util/worker_pool.hpp"

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr std::size_t kTile = 512;

// [vec, bias, 1] for users and [vec, 1, bias] for movies: one product gives
// u.v + b_u + b_i.
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

// tile (rows x cols, row-major) = users (rows x k) . items (cols x k)'.
void product(const float* users, std::size_t rows, const float* items, std::size_t cols, int k,
             float* tile) {
#ifdef RECSYS_HAVE_OPENBLAS
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

const char* product_name() {
#ifdef RECSYS_HAVE_OPENBLAS
  return "OpenBLAS";
#else
  return "Eigen";
#endif
}

// Every tile of the product, blocks of users shared out between threads as
// top_n_all shares them; returns the sum of each tile's first score.
double bare_product(const recsys::Embeddings& t, int threads) {
#ifdef RECSYS_HAVE_OPENBLAS
  openblas_set_num_threads(1);  // our workers each compute their own tiles
#endif
  const int k = t.dim + 2;
  const auto users = with_bias_columns(t.user_vec, t.user_bias, t.dim, true);
  const auto items = with_bias_columns(t.item_vec, t.item_bias, t.dim, false);
  const std::size_t blocks = (t.n_users + kTile - 1) / kTile;
  std::atomic<std::size_t> next{0};
  std::vector<double> sums(static_cast<std::size_t>(threads), 0.0);
  recsys::WorkerPool pool(threads);
  pool.run([&](int worker) {
    std::vector<float> tile(kTile * kTile);
    for (std::size_t b; (b = next.fetch_add(1)) < blocks;) {
      const std::size_t first = b * kTile, rows = std::min<std::size_t>(kTile, t.n_users - first);
      for (std::size_t item = 0; item < t.n_items; item += kTile) {
        const std::size_t cols = std::min<std::size_t>(kTile, t.n_items - item);
        product(users.data() + first * std::size_t(k), rows, items.data() + item * std::size_t(k),
                cols, k, tile.data());
        sums[std::size_t(worker)] += tile[0];
      }
    }
  });
  double total = 0;
  for (const double s : sums) total += s;
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: recsys_bench_top_n MODEL [THREADS [REPEATS]]\n");
    return 2;
  }
  try {
    const recsys::TrainedModel m = recsys::load_model(argv[1]);
    int threads = argc > 2 ? std::stoi(argv[2]) : 0;
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int repeats = argc > 3 ? std::max(1, std::stoi(argv[3])) : 3;
    double sink = 0;
    const double bare = bench::best_of(repeats, [&] { sink += bare_product(m.tables, threads); });
    recsys::TopNRequest request;
    request.k = 10;
    request.exclude = {&m.train_rated, &m.validation_rated};
    std::size_t listed = 0;
    const double topn = bench::best_of(
        repeats, [&] { listed = recsys::top_n_all(m.tables, {request}, threads)[0].items.size(); });
    std::printf(
        "{\"users\":%u,\"movies\":%u,\"bare_s\":%.4f,\"topn_s\":%.4f,\"ratio\":%.3f,"
        "\"product\":\"%s\",\"kernels\":\"%s\"}\n",
        m.tables.n_users, m.tables.n_items, bare, topn, topn / bare, product_name(),
        recsys::kernels::active().name);
    std::fprintf(stderr, "(checksums %g, %zu)\n", sink, listed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recsys_bench_top_n: %s\n", e.what());
    return 1;
  }
  return 0;
}
