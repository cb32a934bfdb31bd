#include "recsys/eval/accuracy.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace recsys {
namespace {
// Rows are cut into a fixed number of parts whatever the threads, and the
// parts' sums added in order, so the figures do not depend on the pool.
constexpr std::size_t kParts = 16;

template <typename Predict>
Accuracy measure(const Ratings& rows, const Scaler& scaler, Predict predict_unit,
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
    for (std::size_t k = begin; k < end; ++k) {
      const double error = double(predict_unit(k, end)) - double(scaler.to_unit(rows.stars[k]));
      sq += error * error;
      ab += std::abs(error);
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
  // Validation rows come in file order: their model rows are random reads,
  // so ask for those of a row a few ahead while this one is computed.
  constexpr std::size_t kAhead = 16;
  return measure(
      rows, scaler,
      [&](std::size_t k, std::size_t end) {
        if (k + kAhead < end) {
          __builtin_prefetch(model.user_row(rows.user[k + kAhead]));
          __builtin_prefetch(model.item_row(rows.item[k + kAhead]));
        }
        return model.predict(rows.user[k], rows.item[k]);
      },
      pool);
}

Accuracy constant_accuracy(double stars, const Ratings& rows, const Scaler& scaler) {
  const float unit = scaler.to_unit(stars);
  return measure(rows, scaler, [&](std::size_t, std::size_t) { return unit; });
}

}  // namespace recsys
