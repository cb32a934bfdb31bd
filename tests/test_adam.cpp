// Adam against values worked out by hand from torch.optim.Adam's rule:
//   g = grad + wd * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The arithmetic is in the comments. Betas 0.9 / 0.999 are not exact in
// float, so those checks allow a relative 1e-5; the test with betas 0.5 /
// 0.75 is exact in binary and checks the first step bit for bit.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "recsys/train/adam.hpp"
#include "recsys/train/model.hpp"
#include "recsys/util/rng.hpp"
#include "recsys/util/worker_pool.hpp"
#include "support.hpp"

using recsys::Adam;
using recsys::AdamSettings;
using recsys::Embeddings;
using recsys::Gradients;

namespace {

Embeddings tables(int dim, std::vector<float> user_vec, std::vector<float> item_vec,
                  std::vector<float> user_bias, std::vector<float> item_bias) {
  Embeddings e;
  e.dim = dim;
  e.n_users = static_cast<std::uint32_t>(user_bias.size());
  e.n_items = static_cast<std::uint32_t>(item_bias.size());
  e.user_vec = std::move(user_vec);
  e.item_vec = std::move(item_vec);
  e.user_bias = std::move(user_bias);
  e.item_bias = std::move(item_bias);
  return e;
}

// Sets entry k of user u's (item i's) gradient row, touching the row; k == dim is the bias.
void set_user(Gradients& g, std::uint32_t u, int k, float x) { g.user_grad(g.user_slot(u))[k] = x; }
void set_item(Gradients& g, std::uint32_t i, int k, float x) { g.item_grad(g.item_slot(i))[k] = x; }

AdamSettings settings(float lr, float wd = 0.0f) {
  AdamSettings s;
  s.lr = lr;
  s.beta1 = 0.9f;
  s.beta2 = 0.999f;
  s.eps = 1e-8f;
  s.weight_decay = wd;
  return s;
}

// Float results of a few float operations against double hand values.
Approx near(double x) { return Approx(x).epsilon(1e-5).margin(1e-7); }

}  // namespace

TEST_CASE("Adam coefficients are the bias corrections of step t", "[adam]") {
  const AdamSettings s = settings(0.1f);
  // t = 1: lr / (1 - 0.9) = 0.1 / 0.1 = 1;  1 / sqrt(1 - 0.999) = 1 / sqrt(0.001) = 31.6227766
  auto c1 = Adam::coefficients(s, 1);
  CHECK(c1.step_size == near(1.0));
  CHECK(c1.inv_sqrt_bc2 == near(31.6227766));
  // t = 2: 1 - 0.81 = 0.19 -> 0.1 / 0.19 = 0.5263158;  1 - 0.998001 = 0.001999 -> 22.3662720
  auto c2 = Adam::coefficients(s, 2);
  CHECK(c2.step_size == near(0.5263158));
  CHECK(c2.inv_sqrt_bc2 == near(22.3662720));
  // t = 3: 1 - 0.729 = 0.271 -> 0.3690037;  1 - 0.997002999 = 0.002997001 -> 18.2665511
  auto c3 = Adam::coefficients(s, 3);
  CHECK(c3.step_size == near(0.3690037));
  CHECK(c3.inv_sqrt_bc2 == near(18.2665511));
}

TEST_CASE("Adam first step moves each parameter by lr * sign(grad)", "[adam]") {
  FOR_EACH_KERNEL_SET();
  // At t = 1: m = 0.1 g, v = 0.001 g^2, so m / (1 - 0.9) = g and
  // sqrt(v) / sqrt(1 - 0.999) = |g|: p -= lr * g / (|g| + eps), i.e. lr * sign(g)
  // (|g| / (|g| + 1e-8) differs from 1 by at most 1e-5 here). Zero gradient: no move.
  for (const auto mode : {Adam::Mode::Dense, Adam::Mode::Sparse}) {
    Embeddings e = tables(2, {1.0f, -2.0f}, {0.5f, 0.25f}, {0.0f}, {3.0f});
    Gradients g(e);
    set_user(g, 0, 0, 0.2f);
    set_user(g, 0, 1, -0.04f);
    set_user(g, 0, 2, -5.0f);
    set_item(g, 0, 0, 0.0f);
    set_item(g, 0, 1, 1e-3f);
    set_item(g, 0, 2, 0.0f);
    Adam adam(e, settings(0.01f), mode);
    adam.step(e, g);
    CHECK(adam.steps() == 1);
    CHECK(e.user_vec[0] == near(0.99));   // 1 - 0.01
    CHECK(e.user_vec[1] == near(-1.99));  // -2 + 0.01
    CHECK(e.item_vec[0] == 0.5f);         // zero gradient, zero state: exactly unchanged
    CHECK(e.item_vec[1] == near(0.24));   // 0.25 - 0.01 * 1e-3 / (1e-3 + 1e-8) = 0.2400001
    CHECK(e.user_bias[0] == near(0.01));  // 0 + 0.01
    CHECK(e.item_bias[0] == 3.0f);
    // The gradient buffer is left as it was.
    CHECK(g.user_value(0, 0) == 0.2f);
    CHECK(g.user_value(0, 1) == -0.04f);
    CHECK(g.user_value(0, 2) == -5.0f);
  }
}

TEST_CASE("Adam several steps match the hand computation", "[adam]") {
  FOR_EACH_KERNEL_SET();
  // One user, one item, dim 1, lr 0.1; both rows in every batch, so dense and
  // sparse modes agree.
  //
  // user vector, p0 = 1, grads 0.5, -0.25, 0.1:
  //   t=1: m = 0.05, v = 0.00025; m/0.1 = 0.5, sqrt(v)/sqrt(0.001) = 0.5 -> p = 1 - 0.1 = 0.9
  //   t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225;
  //        0.1/0.19 = 0.5263158; sqrt(v)/sqrt(0.001999) = 0.0176706/0.0447102 = 0.3952249
  //        p = 0.9 - 0.5263158 * 0.02 / 0.3952249 = 0.9 - 0.0266337 = 0.8733663
  //   t=3: m = 0.018 + 0.01 = 0.028, v = 0.00031194 + 0.00001 = 0.00032194;
  //        0.1/0.271 = 0.3690037; sqrt(v)/sqrt(0.002997001) = 0.0179426/0.0547449 = 0.3277496
  //        p = 0.8733663 - 0.3690037 * 0.028 / 0.3277496 = 0.8733663 - 0.0315244 = 0.8418419
  // item vector, p0 = -0.5, grads -1, -1, 2:
  //   t=1: moves by +lr -> -0.4
  //   t=2: constant gradient so far: m/(1-b1^2) = g, v/(1-b2^2) = g^2 -> -0.3
  //   t=3: m = 0.9*(-0.19) + 0.2 = 0.029, v = 0.999*0.001999 + 0.004 = 0.005997001;
  //        m/0.271 = 0.1070111, v/0.002997001 = 2.0009999, sqrt = 1.4145670
  //        p = -0.3 - 0.1 * 0.1070111 / 1.4145670 = -0.3 - 0.0075649 = -0.3075649
  // user bias, p0 = 0.25, grads -0.5, 0.25, 0 (t=1 +0.1; same magnitudes as the
  // user vector with the sign flipped for t=1,2 and a zero gradient at t=3):
  //   t=1: 0.35
  //   t=2: m = -0.045 + 0.025 = -0.02, v = 0.00031225 -> p = 0.35 + 0.0266337 = 0.3766337
  //   t=3: m = -0.018, v = 0.00031194; sqrt(v)/0.0547449 = 0.0176618/0.0547449 = 0.3226194
  //        p = 0.3766337 + 0.3690037 * 0.018 / 0.3226194 = 0.3766337 + 0.0205879 = 0.3972216
  for (const auto mode : {Adam::Mode::Dense, Adam::Mode::Sparse}) {
    Embeddings e = tables(1, {1.0f}, {-0.5f}, {0.25f}, {0.0f});
    Adam adam(e, settings(0.1f), mode);
    const float gu[] = {0.5f, -0.25f, 0.1f}, gi[] = {-1.0f, -1.0f, 2.0f},
                gb[] = {-0.5f, 0.25f, 0.0f};
    const double eu[] = {0.9, 0.8733663, 0.8418419}, ei[] = {-0.4, -0.3, -0.3075649},
                 eb[] = {0.35, 0.3766337, 0.3972216};
    for (int t = 0; t < 3; ++t) {
      Gradients g(e);
      set_user(g, 0, 0, gu[t]);
      set_item(g, 0, 0, gi[t]);
      set_user(g, 0, 1, gb[t]);
      adam.step(e, g);
      INFO("step " << t + 1);
      CHECK(e.user_vec[0] == near(eu[t]));
      CHECK(e.item_vec[0] == near(ei[t]));
      CHECK(e.user_bias[0] == near(eb[t]));
      CHECK(e.item_bias[0] == 0.0f);  // zero gradient at every step, zero state
    }
    CHECK(adam.steps() == 3);
  }
}

TEST_CASE("Adam with a constant gradient moves lr per step", "[adam]") {
  FOR_EACH_KERNEL_SET();
  // With g constant, m_t = (1 - b1^t) g and v_t = (1 - b2^t) g^2, so every step
  // is lr * g / (|g| + eps) = lr: ten steps of lr 0.01 move 0.1.
  Embeddings e = tables(1, {0.0f}, {0.0f}, {0.0f}, {0.0f});
  Adam adam(e, settings(0.01f), Adam::Mode::Dense);
  Gradients g(e);
  set_user(g, 0, 0, 0.3f);
  set_item(g, 0, 0, -2.0f);
  for (int t = 0; t < 10; ++t) adam.step(e, g);
  CHECK(e.user_vec[0] == Approx(-0.1).margin(1e-6));
  CHECK(e.item_vec[0] == Approx(0.1).margin(1e-6));
  CHECK(adam.steps() == 10);
}

TEST_CASE("Adam first step is exact in binary with betas 0.5 / 0.75", "[adam]") {
  FOR_EACH_KERNEL_SET();
  // lr 0.125, b1 0.5, b2 0.75, eps 0, p0 = 1.
  //   t=1, g = 0.5: m = 0.25, v = 0.25 * 0.25 = 0.0625; lr/(1-0.5) = 0.25;
  //        1/sqrt(1-0.75) = 2; p -= 0.25 * 0.25 / (0.25 * 2) = 0.125 -> 0.875 exactly
  //   t=2, g = 0.25: m = 0.125 + 0.125 = 0.25, v = 0.046875 + 0.015625 = 0.0625;
  //        lr/(1-0.25) = 1/6; 1/sqrt(1-0.5625) = 1/sqrt(0.4375) = 1.5118579;
  //        p -= (1/6) * 0.25 / (0.25 * 1.5118579) = 0.1102396 -> 0.7647604
  AdamSettings s;
  s.lr = 0.125f;
  s.beta1 = 0.5f;
  s.beta2 = 0.75f;
  s.eps = 0.0f;
  Embeddings e = tables(1, {1.0f}, {0.0f}, {0.0f}, {0.0f});
  Adam adam(e, s, Adam::Mode::Sparse);
  Gradients g(e);
  set_user(g, 0, 0, 0.5f);
  adam.step(e, g);
  CHECK(e.user_vec[0] == 0.875f);
  set_user(g, 0, 0, 0.25f);
  adam.step(e, g);
  CHECK(e.user_vec[0] == near(0.7647604));
}

TEST_CASE("dense Adam moves rows outside the batch on their momentum", "[adam][dense]") {
  FOR_EACH_KERNEL_SET();
  // 2 users, 2 items, dim 1, lr 0.1. Step 1 touches user 0 / item 0, step 2
  // user 1 / item 1, step 3 nothing (all gradients zero).
  //
  // user 0, p0 = 1, grads 0.5, 0, 0:
  //   t=1: p = 0.9
  //   t=2: m = 0.9*0.05 = 0.045, v = 0.999*0.00025 = 0.00024975;
  //        sqrt(v)/sqrt(0.001999) = 0.0158035/0.0447102 = 0.3534641
  //        p = 0.9 - 0.5263158 * 0.045 / 0.3534641 = 0.9 - 0.0670058 = 0.8329942
  //   t=3: m = 0.0405, v = 0.0002495003; sqrt(v)/sqrt(0.002997001) = 0.0157956/0.0547449 =
  //   0.2885319
  //        p = 0.8329942 - 0.3690037 * 0.0405 / 0.2885319 = 0.8329942 - 0.0517957 = 0.7811985
  // user 1, p0 = -1, grads 0, 0.3, 0 (t=1: m = v = 0, update 0 / (0 + eps) = 0):
  //   t=2: m = 0.03, v = 0.00009; sqrt(v)/sqrt(0.001999) = 0.0094868/0.0447102 = 0.2121847
  //        p = -1 - 0.5263158 * 0.03 / 0.2121847 = -1 - 0.0744137 = -1.0744137
  //   t=3: m = 0.027, v = 0.00008991; 0.0094821/0.0547449 = 0.1732051
  //        p = -1.0744137 - 0.3690037 * 0.027 / 0.1732051 = -1.0744137 - 0.0575220 = -1.1319357
  // item 0 mirrors user 0 with grad -0.5 from 2: 2.1, 2.1670058, 2.2188015
  // item 1 mirrors user 1 with grad 0.3 from 0.25: 0.25, 0.1755863, 0.1180643
  // The biases get the same gradients as the vectors and start from the same values.
  Embeddings e = tables(1, {1.0f, -1.0f}, {2.0f, 0.25f}, {1.0f, -1.0f}, {2.0f, 0.25f});
  Adam adam(e, settings(0.1f), Adam::Mode::Dense);
  Gradients g(e);

  for (int k : {0, 1}) {
    set_user(g, 0, k, 0.5f);
    set_item(g, 0, k, -0.5f);
  }
  adam.step(e, g);
  g.clear();
  CHECK(e.user_vec[0] == near(0.9));
  CHECK(e.user_vec[1] == -1.0f);  // zero gradient and zero state: exactly still at t=1
  CHECK(e.item_vec[0] == near(2.1));
  CHECK(e.item_vec[1] == 0.25f);

  for (int k : {0, 1}) {
    set_user(g, 1, k, 0.3f);
    set_item(g, 1, k, 0.3f);
  }
  adam.step(e, g);
  g.clear();
  for (const auto* t : {&e.user_vec, &e.user_bias}) {
    CHECK((*t)[0] == near(0.8329942));  // outside the batch, moved on momentum
    CHECK((*t)[1] == near(-1.0744137));
  }
  for (const auto* t : {&e.item_vec, &e.item_bias}) {
    CHECK((*t)[0] == near(2.1670058));
    CHECK((*t)[1] == near(0.1755863));
  }

  adam.step(e, g);  // every gradient zero: all rows still move
  for (const auto* t : {&e.user_vec, &e.user_bias}) {
    CHECK((*t)[0] == near(0.7811985));
    CHECK((*t)[1] == near(-1.1319357));
  }
  for (const auto* t : {&e.item_vec, &e.item_bias}) {
    CHECK((*t)[0] == near(2.2188015));
    CHECK((*t)[1] == near(0.1180643));
  }
  CHECK(adam.steps() == 3);
  CHECK(adam.mode() == Adam::Mode::Dense);
}

TEST_CASE("sparse Adam leaves rows outside the batch alone, the step counter is shared",
          "[adam][sparse]") {
  FOR_EACH_KERNEL_SET();
  // Same schedule as the dense test. Rows outside the batch do not move. User 1's
  // first update happens at t=2, with t=2's bias corrections (one counter for
  // all rows): 0.0744137, where a per-row counter (t=1) would give lr = 0.1.
  Embeddings e = tables(1, {1.0f, -1.0f}, {2.0f, 0.25f}, {1.0f, -1.0f}, {2.0f, 0.25f});
  Adam adam(e, settings(0.1f), Adam::Mode::Sparse);
  Gradients g(e);

  for (int k : {0, 1}) {
    set_user(g, 0, k, 0.5f);
    set_item(g, 0, k, -0.5f);
  }
  adam.step(e, g);
  g.clear();
  const float u0 = e.user_vec[0], i0 = e.item_vec[0], bu0 = e.user_bias[0], bi0 = e.item_bias[0];
  CHECK(u0 == near(0.9));
  CHECK(i0 == near(2.1));

  for (int k : {0, 1}) {
    set_user(g, 1, k, 0.3f);
    set_item(g, 1, k, 0.3f);
  }
  adam.step(e, g);
  g.clear();
  CHECK(e.user_vec[0] == u0);  // exactly unchanged
  CHECK(e.item_vec[0] == i0);
  CHECK(e.user_bias[0] == bu0);
  CHECK(e.item_bias[0] == bi0);
  CHECK(e.user_vec[1] == near(-1.0744137));
  CHECK(e.user_bias[1] == near(-1.0744137));
  CHECK(e.item_vec[1] == near(0.1755863));
  CHECK(e.item_bias[1] == near(0.1755863));

  adam.step(e, g);  // no row touched: nothing moves, the counter still advances
  CHECK(e.user_vec[1] == near(-1.0744137));
  CHECK(e.item_vec[1] == near(0.1755863));
  CHECK(adam.steps() == 3);
  CHECK(adam.mode() == Adam::Mode::Sparse);

  // The shared counter, seen at t=4: user 0 back in a batch with gradient 0.5.
  // Its m and v were not touched at t=2 and t=3 (rows outside the batch keep
  // their state, as torch.optim.SparseAdam):
  //   m = 0.9 * 0.05 + 0.05 = 0.095;  v = 0.999 * 0.00025 + 0.00025 = 0.00049975
  //   1 - 0.9^4 = 0.3439 -> 0.1/0.3439 = 0.2907822; 1 - 0.999^4 = 0.0039940 -> sqrt 0.0631981
  //   sqrt(v)/0.0631981 = 0.0223551/0.0631981 = 0.3537302
  //   p = 0.9 - 0.2907822 * 0.095 / 0.3537302 = 0.9 - 0.0780943 = 0.8219057
  //   (decaying m and v over the skipped steps would give 0.8288987 instead.)
  set_user(g, 0, 0, 0.5f);
  adam.step(e, g);
  CHECK(e.user_vec[0] == near(0.8219057));
  CHECK(e.user_vec[1] == near(-1.0744137));
}

TEST_CASE("weight decay is added to the gradient (Adam, not AdamW)", "[adam]") {
  FOR_EACH_KERNEL_SET();
  // lr 0.1, wd 0.1. Row 0 (user 0): p0 = 2, grads 0 then 0.5; row 1 (user 1): p0 = 1, grads 0, 0.
  //   row 0, t=1: g = 0 + 0.1*2 = 0.2 -> p = 2 - 0.1 = 1.9
  //          t=2: g = 0.5 + 0.1*1.9 = 0.69; m = 0.9*0.02 + 0.069 = 0.087;
  //               v = 0.999*0.00004 + 0.001*0.4761 = 0.00051606;
  //               m/0.19 = 0.4578947, v/0.001999 = 0.2581591, sqrt = 0.5080936
  //               p = 1.9 - 0.1 * 0.4578947 / 0.5080936 = 1.9 - 0.0901201 = 1.8098799
  //   row 1 (dense): t=1: g = 0.1 -> p = 0.9
  //          t=2: g = 0.09; m = 0.009 + 0.009 = 0.018; v = 0.00000999 + 0.0000081 = 0.00001809
  //               m/0.19 = 0.0947368, v/0.001999 = 0.0090495, sqrt = 0.0951290
  //               p = 0.9 - 0.1 * 0.0947368 / 0.0951290 = 0.9 - 0.0995878 = 0.8004122
  //   (AdamW would instead give row 1 = 1 - 0.1*0.1*1 = 0.99 after t=1.)
  SECTION("dense: every row decays") {
    Embeddings e = tables(1, {2.0f, 1.0f}, {0.0f}, {0.0f, 0.0f}, {0.0f});
    Adam adam(e, settings(0.1f, 0.1f), Adam::Mode::Dense);
    Gradients g(e);
    set_user(g, 0, 0, 0.0f);
    adam.step(e, g);
    CHECK(e.user_vec[0] == near(1.9));
    CHECK(e.user_vec[1] == near(0.9));
    CHECK(e.item_vec[0] == 0.0f);  // p = 0: the decay term is 0 too
    set_user(g, 0, 0, 0.5f);
    adam.step(e, g);
    CHECK(e.user_vec[0] == near(1.8098799));
    CHECK(e.user_vec[1] == near(0.8004122));
  }
  SECTION("sparse: rows outside the batch do not decay") {
    Embeddings e = tables(1, {2.0f, 1.0f}, {0.0f}, {0.0f, 0.0f}, {0.0f});
    Adam adam(e, settings(0.1f, 0.1f), Adam::Mode::Sparse);
    Gradients g(e);
    set_user(g, 0, 0, 0.0f);
    adam.step(e, g);
    CHECK(e.user_vec[0] == near(1.9));
    CHECK(e.user_vec[1] == 1.0f);
    set_user(g, 0, 0, 0.5f);
    adam.step(e, g);
    CHECK(e.user_vec[0] == near(1.8098799));
    CHECK(e.user_vec[1] == 1.0f);
  }
}

TEST_CASE("dense Adam split over a worker pool gives the same bits as one thread",
          "[adam][dense]") {
  FOR_EACH_KERNEL_SET();
  recsys::Rng rng(8);
  // dim 7 and odd table sizes: the pool's chunks do not line up with rows.
  // Over 2^14 parameters: smaller tables are stepped on one thread.
  const std::uint32_t users = 14001;
  const Embeddings start = Embeddings::random(users, 203, 7, 0.5, rng);
  Embeddings one = start, many = start;
  Adam adam_one(one, settings(0.01f, 1e-3f), Adam::Mode::Dense);
  Adam adam_many(many, settings(0.01f, 1e-3f), Adam::Mode::Dense);
  recsys::WorkerPool pool(3);
  REQUIRE(pool.size() == 3);
  for (int t = 0; t < 4; ++t) {
    Gradients g(start);
    for (int k = 0; k < 50; ++k) {
      const auto u = static_cast<std::uint32_t>(rng.below(users)),
                 i = static_cast<std::uint32_t>(rng.below(203));
      float* gu = g.user_grad(g.user_slot(u));
      float* gi = g.item_grad(g.item_slot(i));
      for (int d = 0; d <= 7; ++d) {  // d == 7: the bias
        gu[d] += static_cast<float>(rng.normal());
        gi[d] += static_cast<float>(rng.normal());
      }
    }
    adam_one.step(one, g);
    adam_many.step(many, g, &pool);
  }
  CHECK(one.user_vec != start.user_vec);
  CHECK(one.user_vec == many.user_vec);
  CHECK(one.item_vec == many.item_vec);
  CHECK(one.user_bias == many.user_bias);
  CHECK(one.item_bias == many.item_bias);
}
