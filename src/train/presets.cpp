#include "recsys/train/presets.hpp"

#include "recsys/util/error.hpp"

namespace recsys {

Hyperparameters preset(const std::string& name) {
  if (name == "notebook")
    return {.dim = 16,
            .epochs = 10,
            .batch = 64,
            .lr = 0.01,
            .weight_decay = 0.0,
            .init_std = 1.0,
            .optimizer = Adam::Mode::Dense,
            .early_stopping = 0};
  if (name == "default")
    // Measured on the seed split (README, "Choosing the defaults"): a small
    // init lets the biases fit first; light decay and early stopping stop the
    // overfitting that the notebook's settings show after a few epochs.
    return {.dim = 32,
            .epochs = 30,
            .batch = 256,
            .lr = 0.002,
            .weight_decay = 3e-5,
            .init_std = 0.01,
            .optimizer = Adam::Mode::Sparse,
            .early_stopping = 3};
  throw Error("unknown --preset '" + name + "' (choose default or notebook)");
}

std::string optimizer_name(Adam::Mode mode) {
  return mode == Adam::Mode::Dense ? "adam" : "sparse-adam";
}

Adam::Mode parse_optimizer(const std::string& name) {
  if (name == "adam") return Adam::Mode::Dense;
  if (name == "sparse-adam") return Adam::Mode::Sparse;
  throw Error("unknown --optimizer '" + name + "' (choose adam or sparse-adam)");
}

}  // namespace recsys
