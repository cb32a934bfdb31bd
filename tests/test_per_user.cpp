// Each user's figures (`recsys metrics --per-user`): every user's part of the
// ranking and list figures on lists written out by hand and on the
// hand-worked model of metrics_model.hpp, and the CSV they are written as.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "hand_lists.hpp"
#include "metrics_model.hpp"
#include "recsys/eval/beyond_accuracy.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/eval/per_user_csv.hpp"
#include "recsys/eval/ranking_metrics.hpp"

using recsys::TopNLists;
using test_support::Items;
using test_support::lists_of;
using test_support::rated_of;

namespace {

const double kSqrt2 = std::sqrt(2.0);
const double kLog2of3 = std::log2(3.0);
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("per user: ranking figures of lists written by hand", "[metrics][per-user]") {
  // The lists and relevant items of test_metrics.cpp's ranking test, k = 4.
  const auto relevant = rated_of({{1, 5}, {7}, {}, {1, 2, 3, 4, 5, 6}});
  const TopNLists lists = lists_of(4, {{5, 0, 1, 9}, {8, 9}, {0, 1, 2, 3}, {1, 2, 3, 4}});
  std::vector<recsys::UserRanking> per_user;
  const auto all = recsys::ranking_metrics(lists, relevant, &per_user);
  REQUIRE(per_user.size() == 4);
  // u0 [5, 0, 1, 9], relevant {1, 5}: hits at ranks 1 and 3.
  const auto& u0 = per_user[0];
  CHECK(u0.relevant == 2);
  CHECK(u0.precision == Approx(0.5));
  CHECK(u0.recall == Approx(1.0));
  CHECK(u0.ndcg == Approx(1.5 / (1 + 1 / kLog2of3)));
  CHECK(u0.hit == 1.0);
  CHECK(u0.ap == Approx((1 + 2.0 / 3.0) / 2));
  // u1 [8, 9], relevant {7}: in every mean, as zeros.
  const auto& u1 = per_user[1];
  CHECK(u1.relevant == 1);
  CHECK(u1.precision == 0.0);
  CHECK(u1.recall == 0.0);
  CHECK(u1.ndcg == 0.0);
  CHECK(u1.hit == 0.0);
  CHECK(u1.ap == 0.0);
  // u2: nothing relevant, in no mean.
  const auto& u2 = per_user[2];
  CHECK(u2.relevant == 0);
  CHECK(std::isnan(u2.precision));
  CHECK(std::isnan(u2.recall));
  CHECK(std::isnan(u2.ndcg));
  CHECK(std::isnan(u2.hit));
  CHECK(std::isnan(u2.ap));
  // u3 [1, 2, 3, 4], six relevant: four hits.
  const auto& u3 = per_user[3];
  CHECK(u3.relevant == 6);
  CHECK(u3.precision == 1.0);
  CHECK(u3.recall == Approx(4.0 / 6.0));
  CHECK(u3.ndcg == Approx(1.0));
  CHECK(u3.ap == Approx(1.0));
  // The overall figures are the means over u0, u1 and u3.
  CHECK(all.ndcg == Approx((u0.ndcg + u1.ndcg + u3.ndcg) / 3));
  CHECK(all.map == Approx((u0.ap + u1.ap + u3.ap) / 3));
}

TEST_CASE("per user: list figures of the hand model's lists", "[metrics][per-user]") {
  const auto m = metrics_test::hand_model();
  // Counts 2, 3, 2, 2, 1 and means 3, 13/3, 4, 3.25, 1 over the 10 rows; 3 users.
  const TopNLists lists = lists_of(3, {{2, 4}, {3, 2, 0}, {4}, {}});
  std::vector<recsys::UserList> per_user;
  const auto all = recsys::beyond_accuracy(lists, m.tables, m.stats, 3, &per_user);
  REQUIRE(per_user.size() == 4);
  // u0 [i2 (1,1), i4 (-1,0)]: cos -1/sqrt2, distance 1 + 1/sqrt2; counts 2, 1.
  CHECK(per_user[0].length == 2);
  CHECK(per_user[0].diversity == Approx(1 + 1 / kSqrt2));
  CHECK(per_user[0].novelty == Approx(((kLog2of3 - 1) + kLog2of3) / 2));
  CHECK(per_user[0].mean_rating_of_recommended == Approx(2.5));
  CHECK(per_user[0].mean_popularity == Approx(1.5));
  // u1 [i3 (zero), i2, i0]: distances 1, 1, 1 - 1/sqrt2; counts 2, 2, 2.
  CHECK(per_user[1].length == 3);
  CHECK(per_user[1].diversity == Approx((3 - 1 / kSqrt2) / 3));
  CHECK(per_user[1].novelty == Approx(kLog2of3 - 1));
  CHECK(per_user[1].mean_rating_of_recommended == Approx(41.0 / 12.0));
  CHECK(per_user[1].mean_popularity == Approx(2.0));
  // u2 [i4]: one movie, no pair.
  CHECK(per_user[2].length == 1);
  CHECK(std::isnan(per_user[2].diversity));
  CHECK(per_user[2].novelty == Approx(kLog2of3));
  CHECK(per_user[2].mean_rating_of_recommended == Approx(1.0));
  CHECK(per_user[2].mean_popularity == Approx(1.0));
  // u3: an empty list, in no mean.
  CHECK(per_user[3].length == 0);
  CHECK(std::isnan(per_user[3].diversity));
  CHECK(std::isnan(per_user[3].novelty));
  CHECK(std::isnan(per_user[3].mean_rating_of_recommended));
  CHECK(std::isnan(per_user[3].mean_popularity));
  // Plain means for the per-list figures, weighted by length for the per-movie ones:
  // novelty (2 (log2 3 - 1/2) + 3 (log2 3 - 1) + log2 3) / 6 = log2 3 - 2/3, where the plain
  // mean of the three would be log2 3 - 1/2.
  CHECK(all.diversity == Approx((per_user[0].diversity + per_user[1].diversity) / 2));
  CHECK(all.mean_rating_of_recommended == Approx((2.5 + 41.0 / 12.0 + 1.0) / 3));
  CHECK(all.novelty == Approx(kLog2of3 - 2.0 / 3.0));
  CHECK(all.novelty ==
        Approx((2 * per_user[0].novelty + 3 * per_user[1].novelty + per_user[2].novelty) / 6));
  CHECK(all.mean_popularity == Approx((2 * 1.5 + 3 * 2.0 + 1 * 1.0) / 6));
}

TEST_CASE("per user: evaluate fills every user's figures only when asked", "[metrics][per-user]") {
  const auto m = metrics_test::hand_model();
  recsys::MetricsOptions o;
  o.k = 3;
  const auto plain = recsys::evaluate(m, m.validation, o);
  CHECK(plain.per_user.held_out_rows.empty());
  CHECK(plain.per_user.ranking.empty());
  CHECK(plain.per_user.lists.empty());

  o.per_user = true;
  const auto r = recsys::evaluate(m, m.validation, o);
  // Validation rows: u0 two (i1 5 stars, i3 2), u2 one (i3 4.5), u1 none.
  CHECK(r.per_user.held_out_rows == std::vector<std::uint32_t>{2, 0, 1});
  REQUIRE(r.per_user.ranking.size() == 3);
  REQUIRE(r.per_user.lists.size() == 3);
  // Ranking lists u0 [i2, i1, i3] (i1 relevant, rank 2), u2 [i3, i4] (i3, rank 1).
  CHECK(r.per_user.ranking[0].relevant == 1);
  CHECK(r.per_user.ranking[0].ndcg == Approx(1 / kLog2of3));
  CHECK(r.per_user.ranking[0].ap == Approx(0.5));
  CHECK(std::isnan(r.per_user.ranking[1].ndcg));
  CHECK(r.per_user.ranking[2].ndcg == Approx(1.0));
  CHECK(r.per_user.ranking[2].precision == Approx(1.0 / 3.0));  // a short list still / k
  // The lists topn shows: [i2, i4], [i3, i2, i0], [i4] (the test above).
  CHECK(r.per_user.lists[0].length == 2);
  CHECK(r.per_user.lists[1].length == 3);
  CHECK(r.per_user.lists[2].length == 1);
  CHECK(r.per_user.lists[0].diversity == Approx(1 + 1 / kSqrt2));
  // The overall figures are the same with and without.
  CHECK(r.ranking.ndcg == plain.ranking.ndcg);
  CHECK(r.beyond.novelty == plain.beyond.novelty);
}

TEST_CASE("per user: the CSV, empty fields for figures without data", "[metrics][per-user]") {
  recsys::PerUserFigures f;
  f.held_out_rows = {3, 0};
  f.ranking.resize(2);
  f.ranking[0] = {2, 0.5, 1.0 / 3.0, 0.25, 1.0, 0.125};
  f.lists = {{2, 0.75, 1.5, 4.0, 12.0}, {1, kNaN, 3.0, 2.5, 1.0}};
  const auto users = recsys::IdMap::from_tokens({"u7", "a,b"});
  CHECK(recsys::per_user_csv(f, users) ==
        "userId,held_out_rows,relevant,list_length,precision_at_k,recall_at_k,ndcg_at_k,"
        "hit_at_k,ap_at_k,diversity,novelty,mean_rating_of_recommended,mean_popularity\n"
        "u7,3,2,2,0.5,0.3333333333333333,0.25,1,0.125,0.75,1.5,4,12\n"
        "\"a,b\",0,0,1,,,,,,,3,2.5,1\n");
}
