#pragma once
// The pieces of the choice objective (choice_trainer.hpp) shared by the
// one-process trainer and the one across MPI ranks: one side of the
// factorisation trained against the other held fixed.
#include <Eigen/Dense>
#include <cstddef>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys::choice {

// One side of the factorisation as seen from the other: the rows being
// trained (`rows`, with their optional bias), the fixed rows they are scored
// against (`other`, with its bias), and which of those each row rated.
struct Side {
  float* rows;
  std::size_t n;
  float* bias;  // nullptr: this side has no trained bias
  const float* other;
  const float* other_bias;  // nullptr: the fixed side has no bias
  std::size_t n_other;
  const RatedItems* rated;  // rated->of(r): the fixed rows row r is paired with
};

Side user_side(Embeddings& m, const RatedItems& by_user);
Side item_side(Embeddings& m, const RatedItems& by_item);

// Adam moments for one side, laid out like its table.
struct Moments {
  std::vector<float> m, v, m_bias, v_bias;
  Moments(std::size_t rows, int dim, bool bias)
      : m(rows * std::size_t(dim)),
        v(rows * std::size_t(dim)),
        m_bias(bias ? rows : 0),
        v_bias(bias ? rows : 0) {}
};

// What SideGradient gives for one row besides its vector's gradient.
struct RowTerms {
  float bias_gradient;
  double loss;  // the row's share of the loss: its pairs and its own decay
};

// Half the gradient of the loss for the rows of one side, the other side
// fixed, and each row's share of the loss at the same point. The fixed side
// enters through its Gramian G = O'O, g = O' b_other, sum(O), and the sum and
// the sum of squares of its biases. Every term but the row's own decay is a
// sum over the fixed rows, so the gradient against a part of them is that
// part's share of it: the MPI trainer adds up the shares of its ranks.
class SideGradient {
 public:
  SideGradient(const Side& side, int dim, const TrainConfig& config);
  // Row r's gradient into out (dim floats), its bias's and its loss.
  RowTerms operator()(std::size_t r, float* out) const;

 private:
  Side side_;
  int dim_;
  float alpha_, decay_;
  Eigen::MatrixXf gram_;
  Eigen::VectorXf other_sum_, other_bias_sum_;
  double bias_total_ = 0, bias_squares_ = 0;
};

// One phase: mini-batches of rows of `side`, one Adam step per batch. Each
// row takes one step per epoch, so the epoch is its step count for Adam's
// bias correction (a count of batches would undercorrect v by ~1/epoch).
// Returns the sum of the rows' shares of the loss, each taken just before
// its row's step (summed in row order, so any thread count gives the same).
double train_side(const Side& side, int dim, const TrainConfig& config, int epoch, Moments& state,
                  WorkerPool& pool, const TrainHooks& hooks, std::size_t& batches_done,
                  std::size_t batches_total);

double squared_norm(const std::vector<float>& table);

}  // namespace recsys::choice
