// Validation figures: the same as a plain loop in doubles, and the same bits
// whether or not a pool shares the rows.
#include <catch2/catch.hpp>
#include <cmath>

#include "recsys/eval/accuracy.hpp"
#include "recsys/util/worker_pool.hpp"

using namespace recsys;

TEST_CASE("accuracy is a plain mean of errors, the same bits with threads", "[accuracy]") {
  Rng rng(11);
  const Embeddings model = Embeddings::random(300, 200, 8, 0.5, rng);
  Ratings rows;
  for (int k = 0; k < 100000; ++k)  // above the size where the pool is used
    rows.push(static_cast<std::uint32_t>(rng.below(300)),
              static_cast<std::uint32_t>(rng.below(200)),
              static_cast<float>(rng.below(10) + 1) / 2.0f);
  const Scaler scaler{0.5, 5.0};

  double squared = 0, absolute = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const double e =
        double(model.predict(rows.user[k], rows.item[k])) - double(scaler.to_unit(rows.stars[k]));
    squared += e * e;
    absolute += std::abs(e);
  }
  const double n = double(rows.size());

  const Accuracy alone = accuracy(model, rows, scaler);
  CHECK(alone.rows == rows.size());
  CHECK(alone.mse == Approx(squared / n).epsilon(1e-12));
  CHECK(alone.rmse == Approx(std::sqrt(squared / n) * 4.5).epsilon(1e-12));
  CHECK(alone.mae == Approx(absolute / n * 4.5).epsilon(1e-12));

  for (int threads : {2, 3}) {
    WorkerPool pool(threads);
    const Accuracy shared = accuracy(model, rows, scaler, &pool);
    CHECK(shared.mse == alone.mse);
    CHECK(shared.mae == alone.mae);
  }
}
