#pragma once
// Exact t-SNE (van der Maaten & Hinton 2008): O(n^2) memory and time per
// iteration, fine for up to a few thousand points; no Barnes-Hut tree.
#include <Eigen/Dense>
#include <cstdint>

namespace recsys {

struct TsneOptions {
  double perplexity = 30;
  int iterations = 1000;
  std::uint64_t seed = 42;
  // Optimisation schedule of the reference implementation: exaggerated
  // affinities and low momentum first, so that clusters form before they settle.
  int exaggeration_iterations = 250;
  double exaggeration = 12;
  double learning_rate = 0;  // 0: max(n / exaggeration / 4, 50), as openTSNE and sklearn's "auto"
};

struct TsneResult {
  Eigen::MatrixXd points;    // n x 2, centred on the origin
  double kl_divergence = 0;  // KL(P || Q) at the last iteration, without exaggeration
  int iterations = 0;
};

// rows: one point per row. Throws Error when perplexity is not below the
// number of points or the options are out of range.
TsneResult tsne_2d(const Eigen::MatrixXd& rows, const TsneOptions& options);

// The largest usable perplexity for n points is n - 1; the command line's
// default is min(30, (n - 1) / 3), the usual rule of thumb for small n.
double default_perplexity(std::size_t n);

}  // namespace recsys
