// recsys_bench_top_n MODEL [THREADS [REPEATS]]: how much every user's top 10 (rated
// movies excluded, as `recsys topn --all-users`) costs over the bare score
// matrix product it selects from. Prints one JSON line on stdout:
//   {"users":..., "movies":..., "bare_s":..., "topn_s":..., "ratio":..., "product":...}
// Each figure is the best of REPEATS runs (default 3). Used by scripts/bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "bench_timing.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/io/model_file.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: recsys_bench_top_n MODEL [THREADS [REPEATS]]\n");
    return 2;
  }
  try {
    const recsys::TrainedModel m = recsys::load_model(argv[1]);
    const int threads = argc > 2 ? std::stoi(argv[2]) : 0;
    const int repeats = argc > 3 ? std::max(1, std::stoi(argv[3])) : 3;
    double sink = 0;
    const double bare = bench::best_of(repeats, [&] {
      recsys::for_each_score_tile(m.tables, threads, [&](const recsys::ScoreTile& t) {
        sink += t.scores[0];  // one read per tile keeps the product from being optimised away
      });
    });
    recsys::TopNRequest request;
    request.k = 10;
    request.exclude = {&m.train_rated, &m.validation_rated};
    std::size_t listed = 0;
    const double topn = bench::best_of(
        repeats, [&] { listed = recsys::top_n_all(m.tables, {request}, threads)[0].items.size(); });
    std::printf(
        "{\"users\":%u,\"movies\":%u,\"bare_s\":%.4f,\"topn_s\":%.4f,\"ratio\":%.3f,"
        "\"product\":\"%s\"}\n",
        m.tables.n_users, m.tables.n_items, bare, topn, topn / bare,
        recsys::score_product_backend());
    std::fprintf(stderr, "(checksums %g, %zu)\n", sink, listed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recsys_bench_top_n: %s\n", e.what());
    return 1;
  }
  return 0;
}
