#pragma once
// When the rating objective stops: after `patience` epochs in a row that do
// not lower the validation RMSE by at least min_delta (a share) below the
// last epoch that did. Such an epoch restarts the count. The best epoch, the
// lowest RMSE of all, is what training keeps, even when it fell by less than
// min_delta: min_delta decides only when to stop, so a plateau of tiny gains
// ends instead of running on.
#include <limits>

namespace recsys {

class EarlyStopping {
 public:
  EarlyStopping(int patience, double min_delta) : patience_(patience), min_delta_(min_delta) {}

  struct Verdict {
    bool best;  // the lowest validation error so far: keep this epoch's model
    bool stop;  // patience is used up
  };
  // After each epoch, with its validation MSE (not NaN).
  Verdict after_epoch(double val_mse);

 private:
  int patience_;
  double min_delta_;
  double best_rmse_ = std::numeric_limits<double>::infinity();
  double reference_rmse_ = std::numeric_limits<double>::infinity();
  int epochs_without_gain_ = 0;
};

}  // namespace recsys
