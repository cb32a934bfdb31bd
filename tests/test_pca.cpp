// PCA on points with a known answer (a line, a rotated ellipse), the sign
// rule, explained variance, fitting on one set and projecting another, and
// agreement with an independent computation (the SVD of the centred matrix).
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>

#include "recsys/util/rng.hpp"
#include "recsys/viz/pca.hpp"
#include "support.hpp"

using recsys::Pca;

namespace {

constexpr double kPi = 3.14159265358979323846;

// The column of largest magnitude must be positive (the documented sign rule).
void check_sign_rule(const Eigen::MatrixXd& axes) {
  for (Eigen::Index c = 0; c < axes.cols(); ++c) {
    Eigen::Index arg = 0;
    axes.col(c).cwiseAbs().maxCoeff(&arg);
    if (axes.col(c).norm() > 0) CHECK(axes(arg, c) > 0);
  }
}

// Independent computation: the thin SVD of the centred matrix. Its right
// singular vectors are the axes and s^2 / (n - 1) the variances; the
// projections are U * S. Returns them with our sign rule applied.
struct SvdPca {
  Eigen::MatrixXd axes, projected;
  Eigen::VectorXd variance;
  double total = 0;
};
SvdPca svd_pca(const Eigen::MatrixXd& rows, int k) {
  const Eigen::MatrixXd centred = rows.rowwise() - rows.colwise().mean();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
  SvdPca r;
  r.axes = svd.matrixV().leftCols(k);
  r.projected = svd.matrixU().leftCols(k) * svd.singularValues().head(k).asDiagonal();
  recsys::orient_axes(r.axes);
  // Flip the projections to match the axes' orientation.
  for (int c = 0; c < k; ++c)
    if (r.axes.col(c).dot(svd.matrixV().col(c)) < 0) r.projected.col(c) = -r.projected.col(c);
  const double n1 = static_cast<double>(rows.rows() - 1);
  r.variance = svd.singularValues().head(k).array().square() / n1;
  r.total = svd.singularValues().array().square().sum() / n1;
  return r;
}

}  // namespace

TEST_CASE("points on a line: one axis along it, all the variance, the sign rule", "[pca]") {
  // Direction (1, -2, 0.5): its largest loading is negative, so the rule flips it.
  const Eigen::Vector3d dir = Eigen::Vector3d(1, -2, 0.5).normalized();
  const Eigen::Vector3d offset(3, 1, -4);
  Eigen::MatrixXd rows(9, 3);
  for (int k = 0; k < 9; ++k) rows.row(k) = (offset + (k - 2.0) * dir).transpose();
  const Pca p = Pca::fit(rows, 2);
  CHECK(p.axes.col(0).isApprox(-dir, 1e-9));
  check_sign_rule(p.axes);
  CHECK(p.explained(0) == Approx(1.0));
  CHECK(p.explained(1) == Approx(0.0).margin(1e-12));
  // Variance of t = -2..6 with divisor n - 1: 7.5.
  CHECK(p.variance(0) == Approx(7.5));
  const Eigen::MatrixXd xy = p.project(rows);
  for (int k = 0; k < 9; ++k) {
    CHECK(xy(k, 0) == Approx(-(k - 4.0)).margin(1e-9));  // centred at t = 2, flipped
    CHECK(xy(k, 1) == Approx(0).margin(1e-9));
  }
}

TEST_CASE("a rotated ellipse: axes along its own axes, variances a^2/2 and b^2/2", "[pca]") {
  const double a = 3, b = 1, phi = 30 * kPi / 180;
  const int n = 360;
  Eigen::MatrixXd rows(n, 3);
  for (int k = 0; k < n; ++k) {
    const double t = 2 * kPi * k / n;
    const double u = a * std::cos(t), v = b * std::sin(t);
    rows(k, 0) = 10 + u * std::cos(phi) - v * std::sin(phi);
    rows(k, 1) = -5 + u * std::sin(phi) + v * std::cos(phi);
    rows(k, 2) = 7;  // a flat third dimension
  }
  const Pca p = Pca::fit(rows, 2);
  // Major axis (cos 30, sin 30): largest loading cos 30 > 0, kept as is. Minor
  // axis (-sin 30, cos 30): largest loading cos 30 > 0, kept as is.
  CHECK(p.axes.col(0).isApprox(Eigen::Vector3d(std::cos(phi), std::sin(phi), 0), 1e-9));
  CHECK(p.axes.col(1).isApprox(Eigen::Vector3d(-std::sin(phi), std::cos(phi), 0), 1e-9));
  check_sign_rule(p.axes);
  const double scale = static_cast<double>(n) / (n - 1);  // sum of cos^2 over the circle is n/2
  CHECK(p.variance(0) == Approx(a * a / 2 * scale));
  CHECK(p.variance(1) == Approx(b * b / 2 * scale));
  CHECK(p.explained(0) == Approx(0.9));
  CHECK(p.explained(1) == Approx(0.1));
  CHECK(p.mean.isApprox(Eigen::Vector3d(10, -5, 7), 1e-12));
  // Projections recover the ellipse's own coordinates.
  const Eigen::MatrixXd xy = p.project(rows);
  CHECK(xy(0, 0) == Approx(a));
  CHECK(xy(0, 1) == Approx(0).margin(1e-9));
  CHECK(xy(90, 0) == Approx(0).margin(1e-9));
  CHECK(xy(90, 1) == Approx(b));
}

TEST_CASE("the sign rule makes the axes independent of the data's orientation", "[pca]") {
  // Negating the data leaves the covariance, hence the axes, unchanged; the
  // projections flip with the data.
  recsys::Rng rng(5);
  Eigen::MatrixXd rows(40, 6);
  for (Eigen::Index r = 0; r < rows.rows(); ++r)
    for (Eigen::Index c = 0; c < rows.cols(); ++c) rows(r, c) = rng.normal() * (c + 1);
  const Pca p = Pca::fit(rows, 2), q = Pca::fit(-rows, 2);
  CHECK(p.axes.isApprox(q.axes, 1e-9));
  CHECK(p.project(rows).isApprox(-q.project(-rows), 1e-9));
  // A tie in magnitude goes to the first loading: (1, 1)/sqrt(2), never (-1, -1).
  Eigen::MatrixXd diag(4, 2);
  diag << -1, -1, 0, 0, 1, 1, 2, 2;
  const Pca d = Pca::fit(diag, 1);
  CHECK(d.axes(0, 0) > 0);
  CHECK(d.axes(1, 0) > 0);
}

TEST_CASE("fitting on all rows and projecting a subset uses the full set's mean and axes",
          "[pca]") {
  recsys::Rng rng(11);
  Eigen::MatrixXd all(200, 8);
  for (Eigen::Index r = 0; r < all.rows(); ++r)
    for (Eigen::Index c = 0; c < all.cols(); ++c)
      all(r, c) = rng.normal() * (c < 2 ? 3.0 : 0.5) + c;
  const Eigen::MatrixXd subset = all.topRows(30);
  const Pca p = Pca::fit(all, 2);
  const Eigen::MatrixXd expected = (subset.rowwise() - all.colwise().mean()) * p.axes;
  CHECK(p.project(subset).isApprox(expected, 1e-12));
  // The selected set's own fit differs in general.
  CHECK_FALSE(Pca::fit(subset, 2).mean.isApprox(p.mean, 1e-6));
}

TEST_CASE("PCA agrees with the SVD of the centred matrix on embedding-like data", "[pca]") {
  // 30 rows of a 16-dim table with a few strong directions, like trained item vectors.
  recsys::Rng rng(3);
  Eigen::MatrixXd rows(30, 16);
  Eigen::MatrixXd basis(3, 16);
  for (Eigen::Index c = 0; c < 16; ++c)
    for (Eigen::Index b = 0; b < 3; ++b) basis(b, c) = rng.normal();
  for (Eigen::Index r = 0; r < 30; ++r) {
    const Eigen::RowVector3d z(3 * rng.normal(), 1.5 * rng.normal(), 0.7 * rng.normal());
    rows.row(r) = z * basis;
    for (Eigen::Index c = 0; c < 16; ++c) rows(r, c) += 0.1 * rng.normal();
  }
  const Pca p = Pca::fit(rows, 2);
  const SvdPca s = svd_pca(rows, 2);
  CHECK(p.axes.isApprox(s.axes, 1e-8));
  CHECK(p.project(rows).isApprox(s.projected, 1e-8));
  CHECK(p.variance(0) == Approx(s.variance(0)));
  CHECK(p.variance(1) == Approx(s.variance(1)));
  CHECK(p.total_variance == Approx(s.total));
  check_sign_rule(p.axes);
}

TEST_CASE("a 1-dimensional embedding still gives two columns, too few rows is an error", "[pca]") {
  Eigen::MatrixXd rows(3, 1);
  rows << 1, 2, 6;
  const Pca p = Pca::fit(rows, 2);
  CHECK(p.axes.rows() == 1);
  CHECK(p.axes.cols() == 2);
  CHECK(p.axes(0, 1) == 0);
  CHECK(p.explained(0) == Approx(1));
  CHECK(p.explained(1) == 0);
  const Eigen::MatrixXd xy = p.project(rows);
  CHECK(xy(2, 0) == Approx(3));
  CHECK(xy(2, 1) == 0);

  Eigen::MatrixXd one(1, 4);
  one.setZero();
  const auto e = test_support::error_from([&] { Pca::fit(one, 2); });
  REQUIRE(e);
  CHECK(e->message().find("at least 2") != std::string::npos);
  // Identical points: no variance at all, explained shares are 0, not NaN.
  const Pca flat = Pca::fit(Eigen::MatrixXd::Ones(5, 3), 2);
  CHECK(flat.explained(0) == 0);
  CHECK(flat.project(Eigen::MatrixXd::Ones(5, 3)).isZero());
}
