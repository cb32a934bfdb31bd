#pragma once
// Principal component analysis of a few hundred embedding rows: the
// eigen-decomposition of the (dim x dim) covariance, which is cheap because
// dim is small, whatever the number of rows.
#include <Eigen/Dense>
#include <vector>

namespace recsys {

struct Pca {
  Eigen::VectorXd mean;       // of the rows the axes were fitted on
  Eigen::MatrixXd axes;       // dim x k, orthonormal columns, by decreasing variance
  Eigen::VectorXd variance;   // per axis: eigenvalue of the covariance (divisor n - 1)
  double total_variance = 0;  // trace of the covariance: every axis together

  // Share of the total variance along axis a (0 when there is no variance at all).
  double explained(int a) const { return total_variance > 0 ? variance(a) / total_variance : 0; }

  // The top k axes of rows (one observation per row). When dim < k the
  // missing axes are zero columns with zero variance, so a 1-D embedding
  // still gets a 2-D map (on a line).
  //
  // Sign rule: an eigenvector's sign is arbitrary, so each axis is flipped so
  // that its loading of largest magnitude is positive (the first such loading
  // when several tie within 1e-12). Same rows, same axes, on any machine and
  // whichever eigensolver produced them.
  static Pca fit(const Eigen::MatrixXd& rows, int k);

  // Coordinates of rows along the axes (n x k), after subtracting `mean`.
  Eigen::MatrixXd project(const Eigen::MatrixXd& rows) const;
};

// Applies the sign rule above to every column of axes, in place.
void orient_axes(Eigen::MatrixXd& axes);

}  // namespace recsys
