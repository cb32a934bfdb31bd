// When the rating objective stops and which epoch it keeps, on validation
// errors written by hand (MSE given as the square of the RMSE meant).
#include <catch2/catch.hpp>
#include <vector>

#include "recsys/train/early_stopping.hpp"

namespace {

struct Run {
  int best_epoch = 0;
  int stopped_at = 0;  // 0: ran every epoch
};

Run run(int patience, double min_delta, const std::vector<double>& rmse) {
  recsys::EarlyStopping stopping(patience, min_delta);
  Run r;
  for (std::size_t k = 0; k < rmse.size(); ++k) {
    const auto v = stopping.after_epoch(rmse[k] * rmse[k]);
    if (v.best) r.best_epoch = int(k) + 1;
    if (v.stop) {
      r.stopped_at = int(k) + 1;
      break;
    }
  }
  return r;
}

}  // namespace

TEST_CASE("early stopping without a min delta: any fall restarts the count", "[early_stopping]") {
  // Best at 2; 3, 4 and 5 are no lower, so the third of them stops.
  const Run a = run(3, 0, {1.0, 0.9, 0.95, 0.91, 0.92, 0.5});
  CHECK(a.best_epoch == 2);
  CHECK(a.stopped_at == 5);
  // A tiny fall at 4 restarts the count: 5, 6, 7 stop at 7.
  const Run b = run(3, 0, {1.0, 0.9, 0.95, 0.8999, 0.91, 0.92, 0.93});
  CHECK(b.best_epoch == 4);
  CHECK(b.stopped_at == 7);
  // An equal error is not a fall.
  const Run c = run(2, 0, {1.0, 1.0, 1.0});
  CHECK(c.best_epoch == 1);
  CHECK(c.stopped_at == 3);
  // Falling every epoch never stops.
  const Run d = run(1, 0, {1.0, 0.9, 0.8, 0.7});
  CHECK(d.best_epoch == 4);
  CHECK(d.stopped_at == 0);
}

TEST_CASE("early stopping with a min delta: small falls are kept but do not restart the count",
          "[early_stopping]") {
  // min delta 10%: epoch 1 sets the mark 1.0; 0.95 and 0.93 are new bests
  // but not 10% below it, so 2, 3 and 4 use up the patience; 3 is kept.
  const Run a = run(3, 0.1, {1.0, 0.95, 0.93, 0.94, 0.5});
  CHECK(a.best_epoch == 3);
  CHECK(a.stopped_at == 4);
  // 0.89 is 11% below 1.0: the mark moves to 0.89 and the count restarts;
  // 0.85 (4.5% below 0.89) is kept but counts as no gain: 4, 5, 6 stop at 6.
  const Run b = run(3, 0.1, {1.0, 0.95, 0.89, 0.85, 0.86, 0.87});
  CHECK(b.best_epoch == 4);
  CHECK(b.stopped_at == 6);
  // The same errors with no min delta: 0.85 restarts the count instead.
  const Run c = run(3, 0, {1.0, 0.95, 0.89, 0.85, 0.86, 0.87});
  CHECK(c.best_epoch == 4);
  CHECK(c.stopped_at == 0);
  // A new best on the last epoch of the patience is both kept and the stop.
  const Run d = run(2, 0.1, {1.0, 0.98, 0.97});
  CHECK(d.best_epoch == 3);
  CHECK(d.stopped_at == 3);
}
