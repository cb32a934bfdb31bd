// The kernel sets against each other and against hand values. avx2 and
// avx512 do the same operations per element and must agree bit for bit;
// baseline rounds each product before the add (no FMA), so it agrees with
// them within float rounding: a relative 1e-5 on every output here (a fused
// multiply-add moves one result by at most half an ulp, 6e-8 relative, and
// these loops chain a few dozen of them).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "recsys/data/star_column.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

using recsys::kernels::AdamCoefficients;
using recsys::kernels::Isa;
using recsys::kernels::KernelSet;
using recsys::kernels::SlotTable;
using recsys::kernels::TablesView;

namespace {

std::vector<float> normal(std::size_t n, recsys::Rng& rng, double scale = 0.3) {
  std::vector<float> out(n);
  for (auto& x : out) x = static_cast<float>(rng.normal() * scale);
  return out;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Every entry of a within the kernels' rounding tolerance of b's.
void check_close(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    INFO("entry " << k);
    CHECK(a[k] == Approx(b[k]).epsilon(1e-5).margin(1e-7));
  }
}

// A random model and a batch of rows with repeats, for batch_gradient.
struct Batch {
  std::size_t dim;
  std::vector<float> user_vec, item_vec, user_bias, item_bias, stars;
  std::vector<std::uint32_t> user, item;
  TablesView tables() const {
    return {dim, user_vec.data(), item_vec.data(), user_bias.data(), item_bias.data()};
  }
};

Batch random_batch(std::size_t dim, std::uint64_t seed) {
  recsys::Rng rng(seed);
  const std::uint32_t users = 7, items = 9;
  Batch b{dim,
          normal(users * dim, rng),
          normal(items * dim, rng),
          normal(users, rng),
          normal(items, rng),
          {},
          {},
          {}};
  for (int k = 0; k < 40; ++k) {
    b.user.push_back(static_cast<std::uint32_t>(rng.next() % users));
    b.item.push_back(static_cast<std::uint32_t>(rng.next() % items));
    b.stars.push_back(0.5f * static_cast<float>(1 + rng.next() % 10));
  }
  return b;
}

// Runs one set's batch_gradient; returns the MSE, then the user and item slot rows.
struct GradientOut {
  double mse;
  std::vector<float> users, items;
  std::vector<std::uint32_t> touched_users, touched_items;
};

// coded: the ratings as a StarColumn keeps them, a byte and a codebook.
GradientOut gradient_with(const KernelSet& set, const Batch& b, bool coded = false) {
  const std::size_t width = b.dim + 1, n = b.user.size();
  GradientOut out;
  std::vector<std::uint32_t> user_slot(7, SlotTable::kNoSlot), item_slot(9, SlotTable::kNoSlot);
  out.touched_users.assign(n, 0);
  out.touched_items.assign(n, 0);
  out.users.assign(n * width, -1.0f);  // slots must zero their rows when opened
  out.items.assign(n * width, -1.0f);
  SlotTable us{user_slot.data(), out.touched_users.data(), out.users.data(), 0};
  SlotTable is{item_slot.data(), out.touched_items.data(), out.items.data(), 0};
  const recsys::StarColumn column(b.stars);
  REQUIRE(column.coded());
  const recsys::kernels::RowsView rows =
      coded ? recsys::kernels::RowsView{b.user.data(),
                                        b.item.data(),
                                        nullptr,
                                        column.codes().data(),
                                        column.codebook(),
                                        0.5,
                                        4.5}
            : recsys::kernels::RowsView{
                  b.user.data(), b.item.data(), b.stars.data(), nullptr, nullptr, 0.5, 4.5};
  out.mse = set.batch_gradient(b.tables(), rows, nullptr, 0, n, us, is);
  out.users.resize(us.count * width);
  out.items.resize(is.count * width);
  out.touched_users.resize(us.count);
  out.touched_items.resize(is.count);
  return out;
}

AdamCoefficients coefficients() { return {0.013f, 11.3f, 0.9f, 0.999f, 1e-8f, 0.01f}; }

}  // namespace

TEST_CASE("kernels: every set computes dot products exactly on small integers", "[kernels]") {
  // Products and sums of small integers are exact in float in any order.
  for (const std::size_t n : {1u, 3u, 16u, 20u, 33u, 64u, 100u}) {
    std::vector<float> a(n), b(n);
    double expected = 0;
    for (std::size_t k = 0; k < n; ++k) {
      a[k] = static_cast<float>(int(k % 7) - 3);
      b[k] = static_cast<float>(int(k % 5) + 1);
      expected += double(a[k]) * b[k];
    }
    for (const KernelSet* set : recsys::kernels::available()) {
      INFO(set->name << ", n " << n);
      CHECK(set->dot(a.data(), b.data(), n) == float(expected));
    }
  }
}

TEST_CASE("kernels: logits are u . v plus both biases, in every set", "[kernels]") {
  // user 0 = (1, 2, 3), bias 0.5; item 1 = (-1, 0, 2), bias -0.25: 1*-1 + 3*2 + 0.5 - 0.25 = 5.25
  const std::vector<float> user_vec{1, 2, 3, 0, 0, 1}, item_vec{4, 4, 4, -1, 0, 2};
  const std::vector<float> user_bias{0.5f, 2.0f}, item_bias{1.0f, -0.25f};
  const TablesView t{3, user_vec.data(), item_vec.data(), user_bias.data(), item_bias.data()};
  const std::vector<std::uint32_t> user{0, 1, 0}, item{1, 0, 0};
  for (const KernelSet* set : recsys::kernels::available()) {
    INFO(set->name);
    std::vector<float> logit(3);
    set->logits(t, user.data(), item.data(), 3, logit.data());
    CHECK(logit[0] == 5.25f);
    CHECK(logit[1] == 4.0f + 2.0f + 1.0f);   // (0, 0, 1) . (4, 4, 4) + 2 + 1
    CHECK(logit[2] == 24.0f + 0.5f + 1.0f);  // (1, 2, 3) . (4, 4, 4) + 0.5 + 1
  }
}

TEST_CASE("kernels: batch gradients agree across sets (avx2 = avx512 bit for bit)",
          "[kernels][gradient]") {
  const KernelSet& baseline = *recsys::kernels::find(Isa::Baseline);
  for (const std::size_t dim : {16u, 32u, 64u, 7u, 40u}) {
    const Batch b = random_batch(dim, 100 + dim);
    const GradientOut want = gradient_with(baseline, b);
    for (const KernelSet* set : recsys::kernels::available()) {
      INFO(set->name << ", dim " << dim);
      const GradientOut got = gradient_with(*set, b);
      CHECK(got.mse == Approx(want.mse).epsilon(1e-6));
      CHECK(got.touched_users == want.touched_users);
      CHECK(got.touched_items == want.touched_items);
      check_close(got.users, want.users);
      check_close(got.items, want.items);
    }
    const KernelSet* avx2 = recsys::kernels::find(Isa::Avx2);
    const KernelSet* avx512 = recsys::kernels::find(Isa::Avx512);
    if (!avx2 || !avx512) WARN("avx2 = avx512 not checked: this CPU lacks one of them");
    if (avx2 && avx512) {
      const GradientOut a = gradient_with(*avx2, b), c = gradient_with(*avx512, b);
      CHECK(a.mse == c.mse);
      CHECK(same_bits(a.users, c.users));
      CHECK(same_bits(a.items, c.items));
    }
  }
}

TEST_CASE("kernels: ratings as codes give the gradient of the same ratings as floats, bit for bit",
          "[kernels][gradient]") {
  for (const std::size_t dim : {16u, 32u, 7u}) {
    const Batch b = random_batch(dim, 300 + dim);
    for (const KernelSet* set : recsys::kernels::available()) {
      INFO(set->name << ", dim " << dim);
      const GradientOut floats = gradient_with(*set, b), codes = gradient_with(*set, b, true);
      CHECK(floats.mse == codes.mse);
      CHECK(floats.touched_users == codes.touched_users);
      CHECK(same_bits(floats.users, codes.users));
      CHECK(same_bits(floats.items, codes.items));
    }
  }
}

TEST_CASE("kernels: Adam agrees across sets (avx2 = avx512 bit for bit)", "[kernels][adam]") {
  recsys::Rng rng(7);
  const std::size_t n = 1000;  // not a multiple of any vector width
  const std::vector<float> p0 = normal(n, rng), g = normal(n, rng, 0.01);
  auto run = [&](const KernelSet& set) {
    std::vector<float> p = p0, m(n, 0.0f), v(n, 0.0f);
    for (int step = 0; step < 5; ++step)
      set.adam(p.data(), m.data(), v.data(), g.data(), n, coefficients());
    return p;
  };
  const std::vector<float> want = run(*recsys::kernels::find(Isa::Baseline));
  CHECK_FALSE(same_bits(want, p0));
  for (const KernelSet* set : recsys::kernels::available()) {
    INFO(set->name);
    check_close(run(*set), want);
  }
  const KernelSet* avx2 = recsys::kernels::find(Isa::Avx2);
  const KernelSet* avx512 = recsys::kernels::find(Isa::Avx512);
  if (avx2 && avx512)
    CHECK(same_bits(run(*avx2), run(*avx512)));
  else
    WARN("avx2 = avx512 not checked: this CPU lacks one of them");
}

TEST_CASE("kernels: sparse Adam rows equal the flat Adam on the same elements, in every set",
          "[kernels][adam]") {
  recsys::Rng rng(11);
  const std::size_t dim = 5, width = dim + 1, n_rows = 4;
  const std::vector<std::uint32_t> rows{3, 0};  // rows 1 and 2 untouched
  const std::vector<float> vec0 = normal(n_rows * dim, rng), bias0 = normal(n_rows, rng);
  const std::vector<float> g = normal(rows.size() * width, rng, 0.05);
  for (const KernelSet* set : recsys::kernels::available()) {
    INFO(set->name);
    std::vector<float> vec = vec0, bias = bias0, state(n_rows * 2 * width, 0.0f);
    set->adam_rows(rows.data(), rows.size(), dim, vec.data(), bias.data(), state.data(), g.data(),
                   coefficients());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::size_t r = rows[k];
      // The same row through the flat kernel: weights then bias, fresh moments.
      std::vector<float> p(vec0.begin() + std::ptrdiff_t(r * dim),
                           vec0.begin() + std::ptrdiff_t((r + 1) * dim));
      p.push_back(bias0[r]);
      std::vector<float> m(width, 0.0f), v(width, 0.0f);
      set->adam(p.data(), m.data(), v.data(), g.data() + k * width, width, coefficients());
      for (std::size_t e = 0; e < dim; ++e) CHECK(vec[r * dim + e] == p[e]);
      CHECK(bias[r] == p[dim]);
      for (std::size_t e = 0; e < width; ++e) {
        CHECK(state[r * 2 * width + e] == m[e]);
        CHECK(state[r * 2 * width + width + e] == v[e]);
      }
    }
    for (const std::size_t r : {1u, 2u}) {
      CHECK(bias[r] == bias0[r]);
      for (std::size_t e = 0; e < dim; ++e) CHECK(vec[r * dim + e] == vec0[r * dim + e]);
    }
  }
}

TEST_CASE("kernels: dense Adam of a table equals flat Adam with zeros outside the batch",
          "[kernels][adam]") {
  recsys::Rng rng(13);
  const std::size_t dim = 3, width = dim + 1, n_rows = 10;
  const std::vector<float> vec0 = normal(n_rows * dim, rng), bias0 = normal(n_rows, rng);
  // Touched rows 2, 3 and 9, sorted, with their slots in the order first touched.
  const std::vector<std::uint32_t> rows{2, 3, 9}, slots{1, 2, 0};
  const std::vector<float> g = normal(3 * width, rng, 0.05);
  for (const KernelSet* set : recsys::kernels::available()) {
    INFO(set->name);
    // Expected: the whole table as one flat run, the gradient zero but on the touched rows.
    std::vector<float> flat_vec = vec0, flat_bias = bias0, g_vec(n_rows * dim, 0.0f),
                       g_bias(n_rows, 0.0f);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      for (std::size_t e = 0; e < dim; ++e) g_vec[rows[k] * dim + e] = g[slots[k] * width + e];
      g_bias[rows[k]] = g[slots[k] * width + dim];
    }
    std::vector<float> mv(n_rows * dim, 0.0f), vv(n_rows * dim, 0.0f), mb(n_rows, 0.0f),
        vb(n_rows, 0.0f);
    std::vector<float> vec = vec0, bias = bias0, mv2 = mv, vv2 = vv, mb2 = mb, vb2 = vb;
    for (int step = 0; step < 3; ++step) {
      set->adam(flat_vec.data(), mv.data(), vv.data(), g_vec.data(), n_rows * dim, coefficients());
      set->adam(flat_bias.data(), mb.data(), vb.data(), g_bias.data(), n_rows, coefficients());
      // In two parts, [0, 3) and [3, 10), as two threads would.
      const recsys::kernels::DenseTable table{dim,         vec.data(), mv2.data(), vv2.data(),
                                              bias.data(), mb2.data(), vb2.data()};
      const recsys::kernels::TouchedRows touched{rows.data(), slots.data(), rows.size(), g.data()};
      set->adam_dense(table, 0, 3, touched, coefficients());
      set->adam_dense(table, 3, n_rows, touched, coefficients());
    }
    CHECK(same_bits(vec, flat_vec));
    CHECK(same_bits(bias, flat_bias));
    CHECK(same_bits(mv2, mv));
    CHECK(same_bits(vv2, vv));
    CHECK(same_bits(mb2, mb));
    CHECK(same_bits(vb2, vb));
    CHECK_FALSE(same_bits(vec, vec0));
  }
}

TEST_CASE("kernels: the top-N threshold test finds the first run of 16 with a score above",
          "[kernels][top_n]") {
  for (const KernelSet* set : recsys::kernels::available()) {
    INFO(set->name);
    std::vector<float> s(70, 0.5f);  // runs [0,16) [16,32) [32,48) [48,64), tail [64,70)
    CHECK(set->first_run_above(s.data(), s.size(), 0.5f) == 64u);  // equal is not above
    s[69] = 2.0f;  // in the tail: not a whole run, left to the caller
    CHECK(set->first_run_above(s.data(), s.size(), 0.5f) == 64u);
    s[40] = std::nanf("");  // NaN is never above
    CHECK(set->first_run_above(s.data(), s.size(), 0.5f) == 64u);
    s[47] = 0.75f;
    CHECK(set->first_run_above(s.data(), s.size(), 0.5f) == 32u);
    CHECK(set->first_run_above(s.data(), s.size(), 0.75f) == 64u);
    s[3] = 1.0f;
    CHECK(set->first_run_above(s.data(), s.size(), 0.5f) == 0u);
    CHECK(set->first_run_above(s.data() + 16, 54, 0.5f) == 16u);  // [32,48) of s
    CHECK(set->first_run_above(s.data(), 15, 0.0f) == 0u);        // no whole run at all
  }
}

TEST_CASE("kernels: use() switches the active set and hands back the previous one", "[kernels]") {
  const KernelSet& before = recsys::kernels::active();
  const KernelSet& baseline = *recsys::kernels::find(Isa::Baseline);
  {
    const test_support::KernelScope scope(baseline);
    CHECK(&recsys::kernels::active() == &baseline);
  }
  CHECK(&recsys::kernels::active() == &before);
  // The first set is always baseline; the widest the CPU has is the default.
  const auto sets = recsys::kernels::available();
  REQUIRE_FALSE(sets.empty());
  CHECK(sets.front()->isa == Isa::Baseline);
  if (!std::getenv("RECSYS_KERNELS")) CHECK(&before == sets.back());
}

TEST_CASE("RECSYS_KERNELS forces a set, and an unknown or unsupported one is a clear error",
          "[kernels][cli]") {
  const auto r = test_support::run_cli("info --cpu --format json", "RECSYS_KERNELS=baseline");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("\"kernels\":\"baseline\"") != std::string::npos);
  CHECK(r.out.find("\"forced_by_RECSYS_KERNELS\":true") != std::string::npos);

  const auto bad = test_support::run_cli("info --cpu", "RECSYS_KERNELS=sse9");
  CHECK(bad.code != 0);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("RECSYS_KERNELS=sse9: unknown kernel set") != std::string::npos);

  if (!recsys::kernels::find(Isa::Avx512)) {
    const auto lacking = test_support::run_cli("info --cpu", "RECSYS_KERNELS=avx512");
    CHECK(lacking.code != 0);
    CHECK(lacking.err.find("cannot run the avx512 kernels") != std::string::npos);
  }
}

TEST_CASE("train names its kernel set in the log and in JSON", "[kernels][cli]") {
  test_support::TempDir dir;
  const std::string model = dir.file("m.model");
  const auto r = test_support::run_cli("train " RECSYS_SOURCE_DIR
                                       "/data/ratings.csv --objective rating --epochs 1 --model " +
                                           model + " --format json",
                                       "RECSYS_KERNELS=baseline");
  REQUIRE(r.code == 0);
  CHECK(r.err.find("baseline kernels") != std::string::npos);
  CHECK(r.out.find("\"kernels\":\"baseline\"") != std::string::npos);
}
