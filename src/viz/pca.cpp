#include "recsys/viz/pca.hpp"

#include <cmath>

#include "recsys/util/error.hpp"

namespace recsys {

void orient_axes(Eigen::MatrixXd& axes) {
  for (Eigen::Index c = 0; c < axes.cols(); ++c) {
    Eigen::Index best = -1;
    double best_abs = 0;
    for (Eigen::Index r = 0; r < axes.rows(); ++r) {
      // A tolerance, so that two loadings equal up to rounding do not let
      // noise pick the orientation: the first of them wins.
      const double a = std::abs(axes(r, c));
      if (a > best_abs + 1e-12) {
        best = r;
        best_abs = a;
      }
    }
    if (best >= 0 && axes(best, c) < 0) axes.col(c) = -axes.col(c);
  }
}

Pca Pca::fit(const Eigen::MatrixXd& rows, int k) {
  if (rows.rows() < 2)
    throw Error("PCA needs at least 2 points, got " + std::to_string(rows.rows()));
  if (k < 1) throw Error("PCA needs at least one axis", Error::Kind::Internal);
  const Eigen::Index dim = rows.cols();
  Pca p;
  p.mean = rows.colwise().mean().transpose();
  const Eigen::MatrixXd centred = rows.rowwise() - p.mean.transpose();
  const Eigen::MatrixXd cov = centred.transpose() * centred / static_cast<double>(rows.rows() - 1);
  p.total_variance = cov.trace();

  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  if (eig.info() != Eigen::Success)
    throw Error("PCA: eigen-decomposition failed", Error::Kind::Internal);
  // Eigen returns eigenvalues in increasing order: the last columns are the top axes.
  p.axes = Eigen::MatrixXd::Zero(dim, k);
  p.variance = Eigen::VectorXd::Zero(k);
  for (int a = 0; a < k && a < dim; ++a) {
    p.axes.col(a) = eig.eigenvectors().col(dim - 1 - a);
    // Rounding can leave a tiny negative eigenvalue for a flat direction.
    p.variance(a) = std::max(0.0, eig.eigenvalues()(dim - 1 - a));
  }
  orient_axes(p.axes);
  return p;
}

Eigen::MatrixXd Pca::project(const Eigen::MatrixXd& rows) const {
  return (rows.rowwise() - mean.transpose()) * axes;
}

}  // namespace recsys
