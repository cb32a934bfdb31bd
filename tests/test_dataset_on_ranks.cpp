// Loading across ranks (data/dataset_on_ranks), the ranks run as threads
// (thread_ranks.hpp): whatever the number of ranks, the rows, the split, the
// ids, the scale and the counts are one process's, on a file with repeated
// pairs, users out of order and timestamps that tie.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "recsys/data/dataset_on_ranks.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"
#include "thread_ranks.hpp"

namespace {

using namespace recsys;
using Row = std::tuple<std::uint32_t, std::uint32_t, float>;

std::string messy_file(std::size_t rows, std::uint64_t seed) {
  Rng rng(seed);
  std::string text = "userId,movieId,rating,timestamp\n";
  for (std::size_t k = 0; k < rows; ++k) {
    // 40 users and 30 movies in no order: pairs repeat (~1 in 8 rows), and
    // timestamps from 20 values tie.
    text += std::to_string(100 + rng.below(40)) + "," + std::to_string(7 * rng.below(30)) + "," +
            std::to_string(0.5 * double(1 + rng.below(10))) + "," +
            std::to_string(1000 + rng.below(20)) + "\n";
  }
  return text;
}

std::vector<Row> rows_of(const Ratings& r) {
  std::vector<Row> out;
  for (std::size_t k = 0; k < r.size(); ++k) out.emplace_back(r.user[k], r.item[k], r.stars[k]);
  return out;
}

struct OnRanks {
  std::vector<Row> train;  // every rank's, in rank order
  std::vector<std::size_t> train_sizes;
  RankDataset first;  // rank 0's
};

OnRanks load_on(int n, const DatasetOptions& files, HoldOut hold_out) {
  OnRanks out;
  std::vector<RankDataset> all(static_cast<std::size_t>(n));
  test::ThreadRanks ranks(n);
  ranks.run([&](Communicator& c) {
    all[std::size_t(c.rank())] = load_dataset_on_ranks(files, hold_out, c);
  });
  for (const RankDataset& r : all) {
    const auto mine = rows_of(r.data.train);
    out.train.insert(out.train.end(), mine.begin(), mine.end());
    out.train_sizes.push_back(r.data.train.size());
    // Every rank agrees on the ids and the totals.
    CHECK(r.data.users.size() == all[0].data.users.size());
    CHECK(r.data.stats.count == all[0].data.stats.count);
    CHECK(r.data.scaler.min == all[0].data.scaler.min);
  }
  out.first = std::move(all[0]);
  return out;
}

void check_same_as_one_process(const DatasetOptions& files, HoldOut hold_out) {
  const Dataset one = load_dataset(files, hold_out);
  for (const int n : {1, 2, 3}) {
    INFO(n << " ranks");
    const OnRanks got = load_on(n, files, hold_out);
    const Dataset& d = got.first.data;
    for (std::uint32_t u = 0; u < one.users.size(); ++u)
      CHECK(d.users.token(u) == one.users.token(u));
    for (std::uint32_t i = 0; i < one.items.size(); ++i)
      CHECK(d.items.token(i) == one.items.token(i));
    // Each rank holds its user group's training rows, in file order; rank 0
    // every validation row, in file order.
    auto want = rows_of(one.train), have = got.train;
    const RingPlan& plan = got.first.plan;
    std::stable_sort(want.begin(), want.end(), [&](const Row& a, const Row& b) {
      return plan.user_group(std::get<0>(a)) < plan.user_group(std::get<0>(b));
    });
    CHECK(have == want);
    CHECK(rows_of(got.first.every_val) == rows_of(one.val));
    CHECK(got.first.train_rows == one.train.size());
    const RatedItems rated = RatedItems::build(one.users.size(), one.train);
    CHECK(got.first.every_rated.offsets == rated.offsets);
    CHECK(got.first.every_rated.items == rated.items);
    CHECK(d.scaler.min == one.scaler.min);
    CHECK(d.scaler.max == one.scaler.max);
    CHECK(d.stats.count == one.stats.count);
    CHECK(d.stats.mean == one.stats.mean);
    CHECK(d.duplicate_rows == one.duplicate_rows);
    CHECK(d.ratings_file_rows == one.ratings_file_rows);
    CHECK(d.val_file_rows == one.val_file_rows);
    CHECK(d.cold_val_rows == one.cold_val_rows);
    CHECK(d.val_rows_in_training == one.val_rows_in_training);
    double stars = 0;
    for (std::size_t k = 0; k < one.train.size(); ++k) stars += one.train.stars[k];
    CHECK(got.first.train_stars == stars);
  }
}

}  // namespace

TEST_CASE("reading across ranks gives one process's rows, split and counts", "[ranks]") {
  const test_support::TempDir dir;
  DatasetOptions files;
  files.ratings_path = dir.write("ratings.csv", messy_file(600, 3));
  for (const Split split : {Split::Random, Split::UserTime, Split::Time}) {
    INFO("split " << int(split));
    check_same_as_one_process(files, {0.2, 9, split});
  }
  check_same_as_one_process(files, {0.0, 9, Split::Random});
  files.val_path = dir.write("val.csv", messy_file(150, 4));
  check_same_as_one_process(files, {0.1, 9, Split::Random});
}
