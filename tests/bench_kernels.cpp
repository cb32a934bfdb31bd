// recsys_bench_kernels [REPEATS]: the speed of each kernel set this CPU runs,
// on data that stays in the L1 or L2 cache, so the figures are the
// arithmetic's limit rather than memory's. Prints a Markdown table on stdout:
// nanoseconds per element for Adam (the notebook preset's step is 175,678
// elements) and per rating for a batch's forward and backward (dim 16 and
// 32, a model of 2,000 users and 2,000 movies). Each figure is the best of
// REPEATS runs (default 5). Used by scripts/bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_timing.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/util/rng.hpp"

namespace {

using recsys::kernels::KernelSet;

std::vector<float> normal(std::size_t n, recsys::Rng& rng, double scale) {
  std::vector<float> out(n);
  for (auto& x : out) x = static_cast<float>(rng.normal() * scale);
  return out;
}

// ns per element of `steps` Adam steps over n elements (moments of a trained model's size).
double adam_ns(const KernelSet& set, std::size_t n, int steps, int repeats) {
  recsys::Rng rng(1);
  std::vector<float> p = normal(n, rng, 0.1), m = normal(n, rng, 1e-3), g = normal(n, rng, 1e-3);
  std::vector<float> v(n, 1e-6f);
  const recsys::kernels::AdamCoefficients c{0.01f, 1.0f, 0.9f, 0.999f, 1e-8f, 0.0f};
  const double s = bench::best_of(repeats, [&] {
    for (int t = 0; t < steps; ++t) set.adam(p.data(), m.data(), v.data(), g.data(), n, c);
  });
  return s / steps / double(n) * 1e9;
}

// ns per rating of batches of 512 ratings, forward and backward, on tables in cache.
double gradient_ns(const KernelSet& set, std::size_t dim, int repeats) {
  recsys::Rng rng(2);
  const std::uint32_t users = 2000, items = 2000;
  const std::size_t batch = 512, batches = 200, width = dim + 1;
  const std::vector<float> uv = normal(users * dim, rng, 0.1), iv = normal(items * dim, rng, 0.1);
  const std::vector<float> ub = normal(users, rng, 0.1), ib = normal(items, rng, 0.1);
  std::vector<std::uint32_t> user(batch * batches), item(batch * batches);
  std::vector<float> stars(batch * batches);
  for (std::size_t k = 0; k < user.size(); ++k) {
    user[k] = static_cast<std::uint32_t>(rng.next() % users);
    item[k] = static_cast<std::uint32_t>(rng.next() % items);
    stars[k] = 0.5f * static_cast<float>(1 + rng.next() % 10);
  }
  std::vector<std::uint32_t> user_slot(users, recsys::kernels::SlotTable::kNoSlot),
      item_slot(items, recsys::kernels::SlotTable::kNoSlot), touched_u(batch), touched_i(batch);
  std::vector<float> rows_u(batch * width), rows_i(batch * width);
  const recsys::kernels::TablesView t{dim, uv.data(), iv.data(), ub.data(), ib.data()};
  const recsys::kernels::RowsView rows{user.data(), item.data(), stars.data(), nullptr,
                                       nullptr,     0.5,         4.5};
  double sink = 0;
  const double s = bench::best_of(repeats, [&] {
    for (std::size_t b = 0; b < batches; ++b) {
      recsys::kernels::SlotTable su{user_slot.data(), touched_u.data(), rows_u.data(), 0};
      recsys::kernels::SlotTable si{item_slot.data(), touched_i.data(), rows_i.data(), 0};
      sink += set.batch_gradient(t, rows, nullptr, b * batch, batch, su, si);
      for (std::size_t k = 0; k < su.count; ++k) user_slot[touched_u[k]] = su.kNoSlot;
      for (std::size_t k = 0; k < si.count; ++k) item_slot[touched_i[k]] = si.kNoSlot;
    }
  });
  if (sink < 0) std::printf("?");
  return s / double(batch * batches) * 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf(
      "| kernels | Adam, 4,096 elements (L1), ns/element | Adam, 175,678 elements "
      "(notebook step), ns/element | notebook step, us | forward+backward dim 16, "
      "ns/rating | dim 32, ns/rating |\n|---|---|---|---|---|---|\n");
  for (const KernelSet* set : recsys::kernels::available()) {
    const double small = adam_ns(*set, 4096, 2000, repeats);
    const double step = adam_ns(*set, 175678, 50, repeats);
    std::printf("| %s | %.3f | %.3f | %.1f | %.2f | %.2f |\n", set->name, small, step,
                step * 175678 / 1000, gradient_ns(*set, 16, repeats),
                gradient_ns(*set, 32, repeats));
  }
  return 0;
}
