// ring_sum across ranks run as threads (thread_ranks.hpp): every rank ends
// with the element-wise sum, bit-identical on all of them, for vectors
// shorter and longer than the number of ranks.
#include <catch2/catch.hpp>
#include <vector>

#include "recsys/dist/ring_sum.hpp"
#include "recsys/util/rng.hpp"
#include "thread_ranks.hpp"

TEST_CASE("ring_sum gives every rank the sum of every rank's values", "[ranks]") {
  for (const int n : {1, 2, 3, 4}) {
    for (const std::size_t size :
         {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(10)}) {
      // Rank r holds 100 r + k at k: sums exact in float, worked out below.
      std::vector<std::vector<float>> got(static_cast<std::size_t>(n));
      recsys::test::ThreadRanks ranks(n);
      ranks.run([&](recsys::Communicator& c) {
        std::vector<float> v(size);
        for (std::size_t k = 0; k < size; ++k) v[k] = float(100 * c.rank()) + float(k);
        recsys::ring_sum(v, c);
        got[static_cast<std::size_t>(c.rank())] = v;
      });
      std::vector<float> want(size);
      for (std::size_t k = 0; k < size; ++k) want[k] = float(100 * n * (n - 1) / 2 + n * int(k));
      for (int r = 0; r < n; ++r) {
        INFO(n << " ranks, " << size << " values, rank " << r);
        CHECK(got[static_cast<std::size_t>(r)] == want);
      }
    }
  }
}

TEST_CASE("ring_sum leaves the same bits on every rank and in every run", "[ranks]") {
  // Values whose sum rounds: the order of the additions shows in the bits.
  const auto run = [] {
    std::vector<std::vector<double>> got(3);
    recsys::test::ThreadRanks ranks(3);
    ranks.run([&](recsys::Communicator& c) {
      recsys::Rng rng(std::uint64_t(11 + c.rank()));
      std::vector<double> v(1000);
      for (double& x : v) x = rng.uniform() * 1e6 - 5e5 + rng.uniform() * 1e-9;
      recsys::ring_sum(v, c);
      got[static_cast<std::size_t>(c.rank())] = v;
    });
    return got;
  };
  const auto first = run(), second = run();
  CHECK(first[0] == first[1]);
  CHECK(first[0] == first[2]);
  CHECK(first == second);
}
