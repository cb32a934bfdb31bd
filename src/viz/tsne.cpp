#include "recsys/viz/tsne.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

// Row i of the conditional affinities P(j|i): a Gaussian around point i whose
// precision beta is found by bisection so that the row's entropy is
// log(perplexity). Distances are shifted by their minimum first, which leaves
// the normalised row unchanged but keeps exp() away from underflow.
void conditional_row(const double* dist, std::size_t n, std::size_t i, double log_perplexity,
                     double* row) {
  double d_min = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < n; ++j)
    if (j != i) d_min = std::min(d_min, dist[j]);
  double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
  for (int step = 0; step < 200; ++step) {
    double sum = 0, weighted = 0;
    for (std::size_t j = 0; j < n; ++j) {
      row[j] = j == i ? 0 : std::exp(-beta * (dist[j] - d_min));
      sum += row[j];
      weighted += row[j] * (dist[j] - d_min);
    }
    const double entropy = std::log(sum) + beta * weighted / sum;
    if (std::abs(entropy - log_perplexity) < 1e-10) break;
    // Too much entropy: the Gaussian is too wide, so raise the precision.
    if (entropy > log_perplexity) {
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  double sum = 0;
  for (std::size_t j = 0; j < n; ++j) sum += row[j];
  for (std::size_t j = 0; j < n; ++j) row[j] /= sum;
}

}  // namespace

double default_perplexity(std::size_t n) {
  if (n < 2) return 1;
  return std::clamp((static_cast<double>(n) - 1) / 3, 1.0, 30.0);
}

TsneResult tsne_2d(const Eigen::MatrixXd& rows, const TsneOptions& o) {
  const std::size_t n = static_cast<std::size_t>(rows.rows());
  if (n < 3) throw Error("t-SNE needs at least 3 points, got " + std::to_string(n));
  if (!(o.perplexity >= 1) || !(o.perplexity < static_cast<double>(n)))
    throw Error("--perplexity must be at least 1 and less than the number of points (" +
                std::to_string(n) + "), got " + std::to_string(o.perplexity));
  if (o.iterations < 1) throw Error("t-SNE needs at least one iteration");
  if (o.exaggeration_iterations < 0 || !(o.exaggeration >= 1))
    throw Error("t-SNE: bad exaggeration settings", Error::Kind::Internal);

  // Symmetric joint affinities P = (P(j|i) + P(i|j)) / 2n.
  std::vector<double> p(n * n), dist(n);
  const double log_perplexity = std::log(o.perplexity);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) dist[j] = (rows.row(i) - rows.row(j)).squaredNorm();
    conditional_row(dist.data(), n, i, log_perplexity, p.data() + i * n);
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const double v = std::max((p[i * n + j] + p[j * n + i]) / (2.0 * n), 1e-12);
      p[i * n + j] = p[j * n + i] = v;
    }
  for (std::size_t i = 0; i < n; ++i) p[i * n + i] = 0;

  // Coordinates as two plain arrays so the inner loop over j vectorises.
  std::vector<double> x(n), y(n), vx(n, 0), vy(n, 0), gain_x(n, 1), gain_y(n, 1), gx(n), gy(n);
  Rng rng(o.seed);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 1e-4 * rng.normal();
    y[i] = 1e-4 * rng.normal();
  }
  const double lr = o.learning_rate > 0
                        ? o.learning_rate
                        : std::max(static_cast<double>(n) / o.exaggeration / 4, 50.0);

  // grad_i = 4 sum_j (e p_ij - q_ij) w_ij (y_i - y_j) with w = 1 / (1 + d^2) and
  // q = w / Z. Splitting it as 4 [sum e p w dy - (1/Z) sum w^2 dy] needs Z only
  // at the end, so one pass over the pairs suffices and no n x n q is stored.
  std::vector<double> attract_x(n), attract_y(n), repulse_x(n), repulse_y(n);
  // The optimisation reads P in float (see the pair loop); the double copy goes.
  const std::vector<float> pf(p.begin(), p.end());
  p = std::vector<double>();
  std::vector<float> xf(n), yf(n);
  for (int it = 0; it < o.iterations; ++it) {
    const bool early = it < o.exaggeration_iterations;
    const double exaggeration = early ? o.exaggeration : 1.0;
    const double momentum = early ? 0.5 : 0.8;
    for (std::size_t i = 0; i < n; ++i)
      xf[i] = static_cast<float>(x[i]), yf[i] = static_cast<float>(y[i]);
    double z = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float* pi = pf.data() + i * n;
      // The pair loop runs in float, twice the SIMD width of double, with
      // independent partial sums per lane: the compiler may not reorder one
      // floating-point sum without -ffast-math, but it vectorises these lanes.
      constexpr std::size_t L = 16;
      float ax[L] = {}, ay[L] = {}, rx[L] = {}, ry[L] = {}, zs[L] = {};
      const float xi = xf[i], yi = yf[i];
      std::size_t j = 0;
      for (; j + L <= n; j += L)
        for (std::size_t l = 0; l < L; ++l) {
          const float dx = xi - xf[j + l], dy = yi - yf[j + l];
          const float w = 1.0f / (1.0f + dx * dx + dy * dy);
          const float pw = pi[j + l] * w, ww = w * w;
          ax[l] += pw * dx;
          ay[l] += pw * dy;
          rx[l] += ww * dx;
          ry[l] += ww * dy;
          zs[l] += w;
        }
      for (; j < n; ++j) {
        const float dx = xi - xf[j], dy = yi - yf[j];
        const float w = 1.0f / (1.0f + dx * dx + dy * dy);
        const float pw = pi[j] * w, ww = w * w;
        ax[0] += pw * dx;
        ay[0] += pw * dy;
        rx[0] += ww * dx;
        ry[0] += ww * dy;
        zs[0] += w;
      }
      double sax = 0, say = 0, srx = 0, sry = 0, sz = 0;
      for (std::size_t l = 0; l < L; ++l)
        sax += ax[l], say += ay[l], srx += rx[l], sry += ry[l], sz += zs[l];
      attract_x[i] = sax;
      attract_y[i] = say;
      repulse_x[i] = srx;
      repulse_y[i] = sry;
      z += sz - 1.0;  // minus the j == i term, whose w is 1
    }
    for (std::size_t i = 0; i < n; ++i) {
      gx[i] = 4 * (exaggeration * attract_x[i] - repulse_x[i] / z);
      gy[i] = 4 * (exaggeration * attract_y[i] - repulse_y[i] / z);
    }
    // Delta-bar-delta gains, as the reference implementation: a coordinate
    // whose gradient keeps its direction speeds up, one that flips slows down.
    const auto step = [&](std::vector<double>& pos, std::vector<double>& vel,
                          std::vector<double>& gain, const std::vector<double>& grad) {
      double mean = 0;
      for (std::size_t i = 0; i < n; ++i) {
        gain[i] = (grad[i] > 0) != (vel[i] > 0) ? gain[i] + 0.2 : gain[i] * 0.8;
        gain[i] = std::max(gain[i], 0.01);
        vel[i] = momentum * vel[i] - lr * gain[i] * grad[i];
        pos[i] += vel[i];
        mean += pos[i];
      }
      mean /= static_cast<double>(n);
      for (std::size_t i = 0; i < n; ++i) pos[i] -= mean;
    };
    step(x, vx, gain_x, gx);
    step(y, vy, gain_y, gy);
  }

  TsneResult r;
  r.iterations = o.iterations;
  double z = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (j != i) z += 1.0 / (1.0 + (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double q = std::max(
          1.0 / (1.0 + (x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j])) / z, 1e-12);
      const double pij = pf[i * n + j];
      r.kl_divergence += pij * std::log(pij / q);
    }
  r.points.resize(static_cast<Eigen::Index>(n), 2);
  for (std::size_t i = 0; i < n; ++i) {
    r.points(static_cast<Eigen::Index>(i), 0) = x[i];
    r.points(static_cast<Eigen::Index>(i), 1) = y[i];
  }
  return r;
}

}  // namespace recsys
