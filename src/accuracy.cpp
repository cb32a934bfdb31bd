#include "recsys/accuracy.hpp"

#include <cmath>
#include <limits>

namespace recsys {
namespace {
template <typename Predict>
Accuracy measure(const Ratings& rows, const Scaler& scaler, Predict predict_unit) {
  Accuracy a;
  a.rows = rows.size();
  if (a.rows == 0) {
    a.mse = a.rmse = a.mae = std::numeric_limits<double>::quiet_NaN();
    return a;
  }
  double squared = 0, absolute = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const double error = double(predict_unit(k)) - double(scaler.to_unit(rows.stars[k]));
    squared += error * error;
    absolute += std::abs(error);
  }
  a.mse = squared / double(a.rows);
  a.rmse = std::sqrt(a.mse) * scaler.span();
  a.mae = absolute / double(a.rows) * scaler.span();
  return a;
}
}  // namespace

Accuracy accuracy(const Embeddings& model, const Ratings& rows, const Scaler& scaler) {
  // Validation rows come in file order: their model rows are random reads,
  // so ask for those of a row a few ahead while this one is computed.
  constexpr std::size_t kAhead = 16;
  return measure(rows, scaler, [&](std::size_t k) {
    if (k + kAhead < rows.size()) {
      __builtin_prefetch(model.user_row(rows.user[k + kAhead]));
      __builtin_prefetch(model.item_row(rows.item[k + kAhead]));
    }
    return model.predict(rows.user[k], rows.item[k]);
  });
}

Accuracy constant_accuracy(double stars, const Ratings& rows, const Scaler& scaler) {
  const float unit = scaler.to_unit(stars);
  return measure(rows, scaler, [&](std::size_t) { return unit; });
}

}  // namespace recsys
