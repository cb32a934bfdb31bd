#pragma once
// Prediction error of a model on rated rows, in scaled units and in stars.
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/train/model.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {

struct Accuracy {
  double mse = 0;   // mean squared error in scaled [0,1] units (the training loss)
  double rmse = 0;  // in stars
  double mae = 0;   // in stars
  std::size_t rows = 0;
};

// NaN figures when rows is empty. Every row is scored with the tables as they
// are: a user or item that had no training row keeps its initial values. A
// pool shares the rows between its threads; the figures are the same bits
// with or without it.
Accuracy accuracy(const Embeddings& model, const Ratings& rows, const Scaler& scaler,
                  WorkerPool* pool = nullptr);

// The error of always predicting `stars`, as a yardstick.
Accuracy constant_accuracy(double stars, const Ratings& rows, const Scaler& scaler);

}  // namespace recsys
