#pragma once
// Named sets of training settings. `default` is chosen by measurement on
// MovieLens (README, "Choosing the defaults"); `notebook` is the PyTorch
// notebook that recsys replaces, for parity checks.
#include <cstdint>
#include <string>

#include "recsys/train/adam.hpp"

namespace recsys {

struct Hyperparameters {
  int dim;
  int epochs;
  std::size_t batch;
  double lr;
  double weight_decay;
  double init_std;
  Adam::Mode optimizer;
  int early_stopping;
};

// Throws recsys::Error for an unknown name.
Hyperparameters preset(const std::string& name);

std::string optimizer_name(Adam::Mode mode);
Adam::Mode parse_optimizer(const std::string& name);  // "adam" | "sparse-adam"

}  // namespace recsys
