#include "recsys/train/fold_in.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

using MatrixD = Eigen::MatrixXd;
using VectorD = Eigen::VectorXd;

// A few ratings stand for a whole profile: each counts as many times as it
// takes for them to weigh what a typical training user's ratings weigh (the
// mean count per user), and never less than once. Counted once each, five
// ratings are outweighed by the thousands of unrated films and every new
// user gets the same list, that of the mean user.
double positive_weight(const TrainedModel& m, std::size_t rated) {
  const double users = std::max<double>(1, double(m.train_rated.n_users()));
  const double typical = double(m.train_rated.items.size()) / users;
  return std::max(1.0, typical / double(std::max<std::size_t>(rated, 1)));
}

FoldedUser fold_in_choice(const TrainedModel& m, std::span<const RatedMovie> rated) {
  const Embeddings& e = m.tables;
  const int d = e.dim;
  const double alpha = m.settings.negative_weight, lambda = m.settings.weight_decay;
  const double w = positive_weight(m, rated.size());
  MatrixD lhs = MatrixD::Zero(d, d);
  VectorD rhs = VectorD::Zero(d);
  for (std::uint32_t i = 0; i < e.n_items; ++i) {
    const VectorD v = Eigen::Map<const Eigen::VectorXf>(e.item_row(i), d).cast<double>();
    lhs.selfadjointView<Eigen::Lower>().rankUpdate(v, alpha);
    rhs -= alpha * double(e.item_bias[i]) * v;
  }
  for (const RatedMovie& r : rated) {
    const VectorD v = Eigen::Map<const Eigen::VectorXf>(e.item_row(r.item), d).cast<double>();
    lhs.selfadjointView<Eigen::Lower>().rankUpdate(v, w - alpha);
    rhs += (w - (w - alpha) * double(e.item_bias[r.item])) * v;
  }
  lhs.diagonal().array() += lambda;
  const VectorD u = lhs.selfadjointView<Eigen::Lower>().ldlt().solve(rhs);
  FoldedUser out;
  out.vec.resize(std::size_t(d));
  for (int k = 0; k < d; ++k) out.vec[std::size_t(k)] = static_cast<float>(u[k]);
  return out;
}

FoldedUser fold_in_rating(const TrainedModel& m, std::span<const RatedMovie> rated) {
  const Embeddings& e = m.tables;
  const int d = e.dim;
  const double lambda = m.settings.weight_decay;
  // Parameters: the vector, then the bias.
  VectorD w = VectorD::Zero(d + 1), first = VectorD::Zero(d + 1), second = VectorD::Zero(d + 1);
  constexpr int kSteps = 500;
  constexpr double kRate = 0.05, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  for (int step = 1; step <= kSteps; ++step) {
    VectorD grad = lambda * w;
    for (const RatedMovie& r : rated) {
      const Eigen::Map<const Eigen::VectorXf> v(e.item_row(r.item), d);
      const double z = v.cast<double>().dot(w.head(d)) + w[d] + e.item_bias[r.item];
      const double p = 1 / (1 + std::exp(-z));
      const double g = 2 * (p - m.scaler.to_unit(r.stars)) * p * (1 - p);
      grad.head(d) += g * v.cast<double>();
      grad[d] += g;
    }
    first = kBeta1 * first + (1 - kBeta1) * grad;
    second = kBeta2 * second + (1 - kBeta2) * grad.cwiseProduct(grad);
    const double c1 = 1 - std::pow(kBeta1, step), c2 = 1 - std::pow(kBeta2, step);
    w.array() -= kRate * (first.array() / c1) / ((second.array() / c2).sqrt() + kEps);
  }
  FoldedUser out;
  out.vec.resize(std::size_t(d));
  for (int k = 0; k < d; ++k) out.vec[std::size_t(k)] = static_cast<float>(w[k]);
  out.bias = static_cast<float>(w[d]);
  return out;
}

}  // namespace

FoldedUser fold_in_user(const TrainedModel& m, std::span<const RatedMovie> rated) {
  if (rated.empty()) throw Error("no rated movies to fit the new user from");
  return m.predicts_stars() ? fold_in_rating(m, rated) : fold_in_choice(m, rated);
}

std::vector<std::uint32_t> liked_movies(std::span<const RatedMovie> rated) {
  double mean = 0;
  for (const auto& r : rated) mean += r.stars;
  mean /= double(std::max<std::size_t>(rated.size(), 1));
  std::vector<std::uint32_t> liked;
  for (const auto& r : rated)
    if (r.stars >= mean) liked.push_back(r.item);
  return liked;
}

}  // namespace recsys
