// The pieces of training across ranks that need no second process
// (dist/ring_plan, train/ring_trainer): the balanced cut of users and movies
// into groups and the start message; the ring itself runs
// under mpirun in tests/mpi/check_ranks.sh.
#include <algorithm>
#include <catch2/catch.hpp>

#include "recsys/dist/ring_plan.hpp"
#include "recsys/train/ring_trainer.hpp"
#include "support.hpp"

namespace {

recsys::Ratings hand_rows() {
  // Users 0..3 with 4, 1, 1, 2 rows; movies 0..2 with 2, 3, 3 rows.
  recsys::Ratings r;
  r.push(0, 0, 5);
  r.push(0, 1, 4);
  r.push(0, 2, 3);
  r.push(0, 1, 2);
  r.push(1, 2, 1);
  r.push(2, 0, 4.5f);
  r.push(3, 1, 3);
  r.push(3, 2, 2);
  return r;
}

}  // namespace

TEST_CASE("users and movies are cut into groups of about equal rows") {
  const recsys::Ratings rows = hand_rows();
  // 8 rows in 2 groups: user 0 alone holds 4, half; movies 0-1 hold 5.
  const auto two = recsys::RingPlan::balanced(rows, 4, 3, 2);
  CHECK(two.groups() == 2);
  CHECK(two.user_first == std::vector<std::uint32_t>{0, 1, 4});
  CHECK(two.item_first == std::vector<std::uint32_t>{0, 2, 3});
  // 3 groups, cuts at 8/3 and 16/3 rows. Users' running sums 4 5 6 8:
  // user 0 (4) is nearer 8/3 than nothing is; user 2 ends at 6, further
  // from 16/3 than user 1's 5. Movies' 2 5 8: cuts after 2 and after 5.
  const auto three = recsys::RingPlan::balanced(rows, 4, 3, 3);
  CHECK(three.user_first == std::vector<std::uint32_t>{0, 1, 2, 4});
  CHECK(three.item_first == std::vector<std::uint32_t>{0, 1, 2, 3});
  // More groups than users: some groups are empty, none past the end.
  const auto many = recsys::RingPlan::balanced(rows, 4, 3, 6);
  CHECK(many.user_first == std::vector<std::uint32_t>{0, 0, 1, 1, 2, 3, 4});
  CHECK(std::is_sorted(many.user_first.begin(), many.user_first.end()));
  CHECK(many.item_first.back() == 3);
}

TEST_CASE("the start of training round-trips, and an exit code is no start") {
  recsys::RingStart s;
  s.n_users = 4;
  s.n_items = 3;
  s.scaler = {0.5, 5.0};
  const std::string bytes = s.pack();
  REQUIRE(recsys::RingStart::is_packed(bytes));
  const recsys::RingStart back = recsys::RingStart::unpack(bytes);
  CHECK(back.n_users == 4);
  CHECK(back.n_items == 3);
  CHECK(back.scaler.min == 0.5);
  CHECK(back.scaler.max == 5.0);
  CHECK_FALSE(recsys::RingStart::is_packed("2"));
  CHECK_FALSE(recsys::RingStart::is_packed(""));
  CHECK(test_support::error_from(
      [&] { recsys::RingStart::unpack(bytes.substr(0, bytes.size() - 1)); }));
}

TEST_CASE("dense Adam is refused across ranks, sparse rating and choice training are split") {
  recsys::TrainConfig c;
  c.objective = recsys::Objective::Rating;
  c.optimizer = recsys::Adam::Mode::Sparse;
  CHECK_NOTHROW(recsys::check_distributable(c));
  c.optimizer = recsys::Adam::Mode::Dense;
  CHECK(test_support::error_from([&] { recsys::check_distributable(c); }));
  c.objective = recsys::Objective::Choice;
  CHECK_NOTHROW(recsys::check_distributable(c));
}
