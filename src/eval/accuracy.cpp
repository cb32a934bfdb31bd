#include "recsys/eval/accuracy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace recsys {
namespace {
// Rows are cut into a fixed number of parts whatever the threads, and the
// parts' sums added in order, so the figures do not depend on the pool.
constexpr std::size_t kParts = 16;
// Predictions are made a block of rows at a time, into a buffer on the stack.
constexpr std::size_t kBlock = 256;

// predict(first, n, out) writes the scaled predictions of rows first..first+n-1.
template <typename Predict>
Accuracy measure(const Ratings& rows, const Scaler& scaler, Predict predict,
                 WorkerPool* pool = nullptr) {
  Accuracy a;
  a.rows = rows.size();
  if (a.rows == 0) {
    a.mse = a.rmse = a.mae = std::numeric_limits<double>::quiet_NaN();
    return a;
  }
  std::array<double, kParts> squared{}, absolute{};
  auto part = [&](std::size_t p, int) {
    const auto [begin, end] = chunk(rows.size(), kParts, p);
    double sq = 0, ab = 0;  // locals: neighbouring parts share a cache line
    std::array<float, kBlock> predicted;
    for (std::size_t first = begin; first < end; first += kBlock) {
      const std::size_t n = std::min(kBlock, end - first);
      predict(first, n, predicted.data());
      for (std::size_t k = 0; k < n; ++k) {
        const double error = double(predicted[k]) - double(scaler.to_unit(rows.stars[first + k]));
        sq += error * error;
        ab += std::abs(error);
      }
    }
    squared[p] = sq;
    absolute[p] = ab;
  };
  // Below some thousands of rows a thread's wake-up costs more than it saves.
  if (pool && pool->size() > 1 && rows.size() >= 65536)
    pool->parallel_for(kParts, part);
  else
    for (std::size_t p = 0; p < kParts; ++p) part(p, 0);
  double sq = 0, ab = 0;
  for (std::size_t p = 0; p < kParts; ++p) {
    sq += squared[p];
    ab += absolute[p];
  }
  a.mse = sq / double(a.rows);
  a.rmse = std::sqrt(a.mse) * scaler.span();
  a.mae = ab / double(a.rows) * scaler.span();
  return a;
}
}  // namespace

Accuracy accuracy(const Embeddings& model, const Ratings& rows, const Scaler& scaler,
                  WorkerPool* pool) {
  const kernels::KernelSet& set = kernels::active();
  const kernels::TablesView tables = model.view();
  return measure(
      rows, scaler,
      [&](std::size_t first, std::size_t n, float* out) {
        set.logits(tables, rows.user.data() + first, rows.item.data() + first, n, out);
        for (std::size_t k = 0; k < n; ++k) out[k] = Embeddings::sigmoid(out[k]);
      },
      pool);
}

Accuracy constant_accuracy(double stars, const Ratings& rows, const Scaler& scaler) {
  const float unit = scaler.to_unit(stars);
  return measure(rows, scaler,
                 [&](std::size_t, std::size_t n, float* out) { std::fill_n(out, n, unit); });
}

}  // namespace recsys
