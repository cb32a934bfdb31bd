#include "recsys/train/early_stopping.hpp"

#include <cmath>

namespace recsys {

EarlyStopping::Verdict EarlyStopping::after_epoch(double val_mse) {
  const double rmse = std::sqrt(val_mse);
  Verdict v{rmse < best_rmse_, false};
  if (v.best) best_rmse_ = rmse;
  if (rmse < reference_rmse_ * (1.0 - min_delta_)) {
    reference_rmse_ = rmse;
    epochs_without_gain_ = 0;
  } else {
    v.stop = ++epochs_without_gain_ >= patience_;
  }
  return v;
}

}  // namespace recsys
