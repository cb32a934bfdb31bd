// The model's forward pass (logit, predict) on hand-set tables, and the
// hand-written backward pass checked against central finite differences of
// the batch MSE.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include "recsys/train/model.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

using recsys::Embeddings;
using recsys::Gradients;
using recsys::TrainingRows;

namespace {

// 2 users, 3 items, dim 2, every value set by hand.
Embeddings tiny_tables() {
  Embeddings e;
  e.dim = 2;
  e.n_users = 2;
  e.n_items = 3;
  e.user_vec = {1.0f, 2.0f,    // user 0
                -1.0f, 0.5f};  // user 1
  e.item_vec = {0.5f, -1.0f,   // item 0
                2.0f, 3.0f,    // item 1
                0.0f, 0.0f};   // item 2
  e.user_bias = {0.25f, -0.5f};
  e.item_bias = {0.125f, 0.0f, -2.0f};
  return e;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// All parameters of a model flattened in double, in the order
// user_vec, item_vec, user_bias, item_bias.
struct Flat {
  int dim;
  std::uint32_t n_users, n_items;
  std::vector<double> p;
  double& user_vec(std::uint32_t u, int k) { return p[std::size_t(u) * dim + k]; }
  double& item_vec(std::uint32_t i, int k) {
    return p[std::size_t(n_users) * dim + std::size_t(i) * dim + k];
  }
  double& user_bias(std::uint32_t u) { return p[std::size_t(n_users + n_items) * dim + u]; }
  double& item_bias(std::uint32_t i) {
    return p[std::size_t(n_users + n_items) * dim + n_users + i];
  }
};

Flat flatten(const Embeddings& e) {
  Flat f{e.dim, e.n_users, e.n_items, {}};
  for (float x : e.user_vec) f.p.push_back(x);
  for (float x : e.item_vec) f.p.push_back(x);
  for (float x : e.user_bias) f.p.push_back(x);
  for (float x : e.item_bias) f.p.push_back(x);
  return f;
}

// The gradient in flatten()'s order: user vectors, item vectors, user biases, item biases.
std::vector<float> flatten_grad(const Gradients& g) {
  std::vector<float> out;
  const int dim = g.dim();
  for (std::uint32_t u = 0; u < g.n_users(); ++u)
    for (int k = 0; k < dim; ++k) out.push_back(g.user_value(u, k));
  for (std::uint32_t i = 0; i < g.n_items(); ++i)
    for (int k = 0; k < dim; ++k) out.push_back(g.item_value(i, k));
  for (std::uint32_t u = 0; u < g.n_users(); ++u) out.push_back(g.user_value(u, dim));
  for (std::uint32_t i = 0; i < g.n_items(); ++i) out.push_back(g.item_value(i, dim));
  return out;
}

// The batch MSE, written independently of the library, entirely in double:
// L = 1/B * sum over batch entries r of (sigmoid(u.v + b_u + b_i) - t_r)^2.
double batch_mse(Flat& f, const TrainingRows& rows, const std::vector<std::uint32_t>& batch) {
  double sum = 0;
  for (const std::uint32_t r : batch) {
    const std::uint32_t u = rows.user[r], i = rows.item[r];
    double z = f.user_bias(u) + f.item_bias(i);
    for (int k = 0; k < f.dim; ++k) z += f.user_vec(u, k) * f.item_vec(i, k);
    const double e = sigmoid(z) - double(rows.target(r));
    sum += e * e;
  }
  return sum / double(batch.size());
}

// Float copy of the model with parameter `index` (flattened order) replaced.
float& param_ref(Embeddings& e, std::size_t index) {
  if (index < e.user_vec.size()) return e.user_vec[index];
  index -= e.user_vec.size();
  if (index < e.item_vec.size()) return e.item_vec[index];
  index -= e.item_vec.size();
  if (index < e.user_bias.size()) return e.user_bias[index];
  index -= e.user_bias.size();
  return e.item_bias[index];
}

struct Problem {
  Embeddings model;
  std::vector<std::uint32_t> user, item;
  std::vector<float> target;
  TrainingRows rows() const { return TrainingRows{user, item, target}; }
};

// A random small model and 8 rows over it, drawn from the seed.
Problem random_problem(std::uint64_t seed, std::uint32_t n_users, std::uint32_t n_items, int dim) {
  recsys::Rng rng(seed);
  Problem p;
  p.model = Embeddings::random(n_users, n_items, dim, 0.8, rng);
  for (int r = 0; r < 8; ++r) {
    p.user.push_back(static_cast<std::uint32_t>(rng.below(n_users)));
    p.item.push_back(static_cast<std::uint32_t>(rng.below(n_items)));
    p.target.push_back(static_cast<float>(rng.uniform()));
  }
  return p;
}

}  // namespace

TEST_CASE("random tables hold the generator's normals in table order, whatever the threads",
          "[model]") {
  // Sizes that give one part and several; an odd total leaves a spare; a
  // generator that enters with a spare gives it to the first entry.
  for (const auto& [users, items, dim] :
       {std::tuple{7u, 5u, 3}, std::tuple{3001u, 2003u, 100}, std::tuple{2999u, 2004u, 64}}) {
    for (const bool spare : {false, true}) {
      INFO(users << " users, " << items << " items, dim " << dim << (spare ? ", spare" : ""));
      recsys::Rng want_rng(11);
      if (spare) want_rng.normal();
      recsys::Rng entry_rng = want_rng;
      std::vector<float> want;
      const auto draw = [&](std::size_t n) {
        for (std::size_t k = 0; k < n; ++k)
          want.push_back(static_cast<float>(want_rng.normal() * 0.3));
      };
      draw(std::size_t(users) * std::size_t(dim));
      draw(users);
      draw(std::size_t(items) * std::size_t(dim));
      draw(items);
      const double next_want = want_rng.normal();
      for (const int threads : {1, 2, 3}) {
        INFO(threads << " threads");
        recsys::Rng rng = entry_rng;
        const Embeddings e = Embeddings::random(users, items, dim, 0.3, rng, threads);
        std::vector<float> got = e.user_vec;
        got.insert(got.end(), e.user_bias.begin(), e.user_bias.end());
        got.insert(got.end(), e.item_vec.begin(), e.item_vec.end());
        got.insert(got.end(), e.item_bias.begin(), e.item_bias.end());
        REQUIRE(got.size() == want.size());
        std::size_t mismatches = 0;  // counted: printing two 500k vectors would take minutes
        for (std::size_t k = 0; k < got.size(); ++k) mismatches += got[k] != want[k];
        CHECK(mismatches == 0u);
        CHECK(rng.normal() == next_want);  // the generator moved on exactly as far
      }
    }
  }
}

TEST_CASE("logit is u.v + b_u + b_i on hand-set tables", "[model]") {
  const Embeddings e = tiny_tables();
  // user 0, item 0: 1*0.5 + 2*(-1) + 0.25 + 0.125 = 0.5 - 2 + 0.375 = -1.125 (exact in binary)
  CHECK(e.logit(0, 0) == -1.125f);
  // user 0, item 1: 1*2 + 2*3 + 0.25 + 0 = 8.25
  CHECK(e.logit(0, 1) == 8.25f);
  // user 0, item 2: 0 + 0 + 0.25 - 2 = -1.75
  CHECK(e.logit(0, 2) == -1.75f);
  // user 1, item 0: -1*0.5 + 0.5*(-1) - 0.5 + 0.125 = -0.5 - 0.5 - 0.375 = -1.375
  CHECK(e.logit(1, 0) == -1.375f);
  // user 1, item 1: -1*2 + 0.5*3 - 0.5 + 0 = -2 + 1.5 - 0.5 = -1
  CHECK(e.logit(1, 1) == -1.0f);
  // user 1, item 2: 0 + 0 - 0.5 - 2 = -2.5
  CHECK(e.logit(1, 2) == -2.5f);
}

TEST_CASE("predict is the sigmoid of the logit", "[model]") {
  const Embeddings e = tiny_tables();
  CHECK(e.predict(0, 0) == Approx(1.0 / (1.0 + std::exp(1.125))).epsilon(1e-6));  // 0.24508...
  CHECK(e.predict(0, 0) == Approx(0.2450850).epsilon(1e-6));
  CHECK(e.predict(0, 1) == Approx(1.0 / (1.0 + std::exp(-8.25))).epsilon(1e-6));  // 0.99973...
  CHECK(e.predict(1, 1) == Approx(0.2689414).epsilon(1e-6));                      // sigmoid(-1)
  CHECK(e.predict(1, 2) == Approx(0.0758582).epsilon(1e-6));                      // sigmoid(-2.5)
  CHECK(Embeddings::sigmoid(0.0f) == 0.5f);
  CHECK(Embeddings::sigmoid(2.0f) == Approx(0.8807971).epsilon(1e-6));
  CHECK(Embeddings::sigmoid(-2.0f) == Approx(0.1192029).epsilon(1e-6));
  // Far tails saturate without NaN.
  CHECK(Embeddings::sigmoid(-200.0f) == 0.0f);
  CHECK(Embeddings::sigmoid(200.0f) == 1.0f);
}

TEST_CASE("one-row batch gradient matches the chain rule by hand", "[model][gradient]") {
  FOR_EACH_KERNEL_SET();
  const Embeddings e = tiny_tables();
  // Row: user 1, item 1 (logit -1), target 0.75.
  const std::vector<std::uint32_t> user{1}, item{1};
  const std::vector<float> target{0.75f};
  const TrainingRows rows{user, item, target};
  const std::vector<std::uint32_t> batch{0};
  Gradients g(e);
  const double mse = recsys::accumulate_batch_gradient(e, rows, batch, g);
  // p = sigmoid(-1) = 0.26894142; error = p - 0.75 = -0.48105858; MSE = error^2 = 0.23141736
  const double p = sigmoid(-1.0), err = p - 0.75;
  CHECK(mse == Approx(err * err).epsilon(1e-6));
  CHECK(mse == Approx(0.2314174).epsilon(1e-5));
  // dL/dz = 2 * error * p * (1 - p) = 2 * -0.48105858 * 0.19661193 = -0.18916371
  const double dz = 2 * err * p * (1 - p);
  CHECK(dz == Approx(-0.1891637).epsilon(1e-5));
  // dL/du = dz * v_item1 = dz * (2, 3); dL/dv = dz * u_user1 = dz * (-1, 0.5); biases = dz
  // (k == dim == 2 is the bias)
  CHECK(g.user_value(1, 0) == Approx(dz * 2).epsilon(1e-5));
  CHECK(g.user_value(1, 1) == Approx(dz * 3).epsilon(1e-5));
  CHECK(g.item_value(1, 0) == Approx(dz * -1).epsilon(1e-5));
  CHECK(g.item_value(1, 1) == Approx(dz * 0.5).epsilon(1e-5));
  CHECK(g.user_value(1, 2) == Approx(dz).epsilon(1e-5));
  CHECK(g.item_value(1, 2) == Approx(dz).epsilon(1e-5));
  // Rows the batch did not touch stay exactly zero.
  for (int k : {0, 1, 2}) {
    CHECK(g.user_value(0, k) == 0.0f);
    CHECK(g.item_value(0, k) == 0.0f);
    CHECK(g.item_value(2, k) == 0.0f);
  }
  CHECK(g.touched_users == std::vector<std::uint32_t>{1});
  CHECK(g.touched_items == std::vector<std::uint32_t>{1});
}

TEST_CASE("batch gradient equals central finite differences of the batch MSE (double)",
          "[model][gradient]") {
  FOR_EACH_KERNEL_SET();
  // Repeated rows (0 and 3 appear twice) accumulate; rows 4 and 6 are not in the batch.
  const std::vector<std::uint32_t> batch{0, 1, 2, 3, 3, 5, 7, 0};
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const Problem pb = random_problem(seed, 3, 4, 3);
    const TrainingRows rows = pb.rows();
    Gradients g(pb.model);
    const double mse = recsys::accumulate_batch_gradient(pb.model, rows, batch, g);

    Flat f = flatten(pb.model);
    CHECK(mse == Approx(batch_mse(f, rows, batch)).epsilon(1e-5));
    const std::vector<float> analytic = flatten_grad(g);
    REQUIRE(analytic.size() == f.p.size());
    const double h = 1e-6;
    for (std::size_t k = 0; k < f.p.size(); ++k) {
      const double saved = f.p[k];
      f.p[k] = saved + h;
      const double plus = batch_mse(f, rows, batch);
      f.p[k] = saved - h;
      const double minus = batch_mse(f, rows, batch);
      f.p[k] = saved;
      const double numeric = (plus - minus) / (2 * h);
      INFO("seed " << seed << ", parameter " << k << ": analytic " << analytic[k] << ", numeric "
                   << numeric);
      CHECK(std::abs(double(analytic[k]) - numeric) <= 1e-6 + 1e-4 * std::abs(numeric));
    }

    // The touched lists: unique, in order of first touch, exactly the batch's rows.
    std::vector<std::uint32_t> users, items;
    for (const auto r : batch) {
      if (std::find(users.begin(), users.end(), pb.user[r]) == users.end())
        users.push_back(pb.user[r]);
      if (std::find(items.begin(), items.end(), pb.item[r]) == items.end())
        items.push_back(pb.item[r]);
    }
    CHECK(g.touched_users == users);
    CHECK(g.touched_items == items);
  }
}

TEST_CASE("batch gradient double-checked with float finite differences of the library's own MSE",
          "[model][gradient]") {
  FOR_EACH_KERNEL_SET();
  const std::vector<std::uint32_t> batch{2, 2, 6, 1, 4, 2};
  for (std::uint64_t seed = 11; seed <= 15; ++seed) {
    const Problem pb = random_problem(seed, 4, 3, 2);
    const TrainingRows rows = pb.rows();
    Gradients g(pb.model);
    recsys::accumulate_batch_gradient(pb.model, rows, batch, g);
    const std::vector<float> analytic = flatten_grad(g);

    Embeddings probe = pb.model;
    for (std::size_t k = 0; k < analytic.size(); ++k) {
      float& x = param_ref(probe, k);
      const float saved = x;
      const float up = saved + 1e-2f, down = saved - 1e-2f;
      Gradients scratch(probe);
      x = up;
      const double plus = recsys::accumulate_batch_gradient(probe, rows, batch, scratch);
      scratch.clear();
      x = down;
      const double minus = recsys::accumulate_batch_gradient(probe, rows, batch, scratch);
      x = saved;
      const double numeric = (plus - minus) / (double(up) - double(down));
      INFO("seed " << seed << ", parameter " << k << ": analytic " << analytic[k] << ", numeric "
                   << numeric);
      // Step 1e-2 in float: truncation ~1e-5, rounding of the float losses ~1e-6.
      CHECK(std::abs(double(analytic[k]) - numeric) <= 2e-4 + 1e-2 * std::abs(numeric));
    }
  }
}

TEST_CASE("repeated rows accumulate: batch {a, b, b} = (G{a} + 2 G{b}) / 3", "[model][gradient]") {
  FOR_EACH_KERNEL_SET();
  const Problem pb = random_problem(99, 3, 3, 4);
  const TrainingRows rows = pb.rows();
  auto grad_of = [&](std::vector<std::uint32_t> batch) {
    Gradients g(pb.model);
    recsys::accumulate_batch_gradient(pb.model, rows, batch, g);
    return flatten_grad(g);
  };
  const auto ga = grad_of({0}), gb = grad_of({1}), gabb = grad_of({0, 1, 1});
  for (std::size_t k = 0; k < ga.size(); ++k) {
    INFO("parameter " << k);
    CHECK(gabb[k] == Approx((double(ga[k]) + 2.0 * gb[k]) / 3.0).margin(1e-7).epsilon(1e-5));
  }
  // Gradients add into what the buffer already holds (no implicit clear).
  Gradients twice(pb.model);
  const std::vector<std::uint32_t> b{0, 1, 1};
  recsys::accumulate_batch_gradient(pb.model, rows, b, twice);
  recsys::accumulate_batch_gradient(pb.model, rows, b, twice);
  const auto g2 = flatten_grad(twice);
  for (std::size_t k = 0; k < g2.size(); ++k) CHECK(g2[k] == Approx(2.0 * gabb[k]).margin(1e-7));
}

TEST_CASE("Gradients: one slot per touched row, zeroed on first touch, all forgotten by clear",
          "[model][gradient]") {
  Embeddings shape;
  shape.dim = 2;
  shape.n_users = 3;
  shape.n_items = 3;
  Gradients g(shape);
  CHECK(g.width() == 3u);

  CHECK(g.user_slot(1) == 0u);
  CHECK(g.user_slot(1) == 0u);  // a second touch does not repeat the row
  CHECK(g.item_slot(0) == 0u);
  CHECK(g.item_slot(2) == 1u);
  CHECK(g.touched_users == std::vector<std::uint32_t>{1});
  CHECK(g.touched_items == std::vector<std::uint32_t>{0, 2});
  for (int k = 0; k < 3; ++k) CHECK(g.item_grad(1)[k] == 0.0f);
  g.user_grad(0)[0] = 1.5f;
  g.user_grad(0)[1] = -2.5f;
  g.user_grad(0)[2] = 3.0f;  // the bias
  g.item_grad(0)[0] = 4.0f;
  g.item_grad(1)[1] = 5.0f;
  g.item_grad(1)[2] = 7.0f;
  CHECK(g.user_value(1, 0) == 1.5f);
  CHECK(g.user_value(1, 1) == -2.5f);
  CHECK(g.user_value(1, 2) == 3.0f);
  CHECK(g.user_value(0, 0) == 0.0f);
  CHECK(g.item_value(0, 0) == 4.0f);
  CHECK(g.item_value(2, 1) == 5.0f);
  CHECK(g.item_value(2, 2) == 7.0f);
  CHECK(g.item_value(1, 2) == 0.0f);

  g.clear();
  CHECK(g.touched_users.empty());
  CHECK(g.touched_items.empty());
  for (std::uint32_t r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) {
      CHECK(g.user_value(r, k) == 0.0f);
      CHECK(g.item_value(r, k) == 0.0f);
    }
  // Touched again, a row starts from zero in a fresh slot list.
  CHECK(g.item_slot(2) == 0u);
  for (int k = 0; k < 3; ++k) CHECK(g.item_grad(0)[k] == 0.0f);
  CHECK(g.touched_items == std::vector<std::uint32_t>{2});
}

TEST_CASE("after accumulate then clear, every gradient entry is zero", "[model][gradient]") {
  const Problem pb = random_problem(5, 4, 5, 3);
  const TrainingRows rows = pb.rows();
  Gradients g(pb.model);
  const std::vector<std::uint32_t> batch{0, 1, 2, 3, 4, 5, 6, 7};
  recsys::accumulate_batch_gradient(pb.model, rows, batch, g);
  bool any_nonzero = false;
  for (float x : flatten_grad(g)) any_nonzero |= x != 0.0f;
  CHECK(any_nonzero);
  g.clear();
  for (float x : flatten_grad(g)) CHECK(x == 0.0f);
  CHECK(g.touched_users.empty());
  CHECK(g.touched_items.empty());
}
