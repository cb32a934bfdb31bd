// Exact t-SNE: well-separated clusters stay apart in 2-D, the same seed gives
// the same map, and bad settings are user errors.
#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "recsys/util/rng.hpp"
#include "recsys/viz/tsne.hpp"
#include "support.hpp"

namespace {

// k clusters of m points each in `dim` dimensions: centres 10 apart along
// different axes, points within about 0.5 of their centre.
Eigen::MatrixXd clusters(int k, int m, int dim, std::uint64_t seed) {
  recsys::Rng rng(seed);
  Eigen::MatrixXd rows(k * m, dim);
  for (int c = 0; c < k; ++c)
    for (int p = 0; p < m; ++p)
      for (int d = 0; d < dim; ++d) rows(c * m + p, d) = (d == c ? 10.0 : 0.0) + 0.5 * rng.normal();
  return rows;
}

}  // namespace

TEST_CASE("t-SNE keeps well-separated clusters apart", "[tsne]") {
  const int k = 4, m = 25;
  const Eigen::MatrixXd rows = clusters(k, m, 10, 7);
  recsys::TsneOptions o;
  o.perplexity = 10;
  const recsys::TsneResult r = recsys::tsne_2d(rows, o);
  REQUIRE(r.points.rows() == k * m);
  REQUIRE(r.points.cols() == 2);
  CHECK(std::isfinite(r.kl_divergence));
  CHECK(r.kl_divergence > 0);
  CHECK(r.kl_divergence < 1.0);

  // Every point's 5 nearest neighbours in the map come from its own cluster.
  const auto n = r.points.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    std::vector<std::pair<double, Eigen::Index>> d;
    for (Eigen::Index j = 0; j < n; ++j)
      if (j != i) d.emplace_back((r.points.row(i) - r.points.row(j)).norm(), j);
    std::partial_sort(d.begin(), d.begin() + 5, d.end());
    for (int q = 0; q < 5; ++q) CHECK(d[q].second / m == i / m);
  }
  // Each cluster is much tighter than the distance to the nearest other cluster.
  std::vector<Eigen::RowVector2d> centre(k, Eigen::RowVector2d::Zero());
  for (Eigen::Index i = 0; i < n; ++i) centre[i / m] += r.points.row(i) / m;
  double max_radius = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    max_radius = std::max(max_radius, (r.points.row(i) - centre[i / m]).norm());
  double min_gap = 1e300;
  for (int a = 0; a < k; ++a)
    for (int b = a + 1; b < k; ++b) min_gap = std::min(min_gap, (centre[a] - centre[b]).norm());
  CHECK(min_gap > 2 * max_radius);
  // The map is centred on the origin.
  CHECK(r.points.colwise().mean().norm() < 1e-6);
}

TEST_CASE("t-SNE is deterministic for a seed and changes with it", "[tsne]") {
  const Eigen::MatrixXd rows = clusters(3, 10, 5, 1);
  recsys::TsneOptions o;
  o.perplexity = 5;
  o.iterations = 300;
  const auto a = recsys::tsne_2d(rows, o), b = recsys::tsne_2d(rows, o);
  CHECK(a.points == b.points);
  CHECK(a.kl_divergence == b.kl_divergence);
  o.seed = 43;
  CHECK_FALSE(recsys::tsne_2d(rows, o).points.isApprox(a.points, 1e-3));
}

TEST_CASE("t-SNE's settings are checked", "[tsne]") {
  const Eigen::MatrixXd rows = clusters(2, 5, 3, 1);
  recsys::TsneOptions o;
  o.perplexity = 10;  // not below the 10 points
  auto e = test_support::error_from([&] { recsys::tsne_2d(rows, o); });
  REQUIRE(e);
  CHECK(e->message().find("--perplexity") != std::string::npos);
  o.perplexity = 3;
  e = test_support::error_from([&] { recsys::tsne_2d(rows.topRows(2), o); });
  REQUIRE(e);
  CHECK(e->message().find("at least 3") != std::string::npos);
  CHECK(recsys::default_perplexity(30) == Approx(29.0 / 3));
  CHECK(recsys::default_perplexity(1000) == 30);
  CHECK(recsys::default_perplexity(4) == 1);
}
