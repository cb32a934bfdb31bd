// The figures of `recsys metrics`, each on the hand-worked model of
// metrics_model.hpp or on lists written out by hand, with the arithmetic in
// the comments.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "hand_lists.hpp"
#include "metrics_model.hpp"
#include "recsys/eval/beyond_accuracy.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/eval/popularity.hpp"
#include "recsys/eval/ranking_metrics.hpp"
#include "recsys/eval/similar_items.hpp"
#include "recsys/eval/top_n.hpp"

using recsys::TopNLists;
using recsys::TopNRequest;
using test_support::Items;
using test_support::lists_of;
using test_support::rated_of;

namespace {

Items as_vector(std::span<const std::uint32_t> s) { return Items(s.begin(), s.end()); }

const double kSqrt2 = std::sqrt(2.0);

}  // namespace

TEST_CASE("select_top_k: best first, ties to the lower index, skipped items left out", "[top_n]") {
  const std::vector<float> scores = {1.0f, 3.0f, 2.0f, 3.0f, 0.5f, 3.0f};
  std::vector<recsys::ScoredItem> out;
  recsys::select_top_k(scores, {}, 3, out);
  // Three items tie at 3: indexes 1, 3, 5 in that order.
  REQUIRE(out.size() == 3);
  CHECK(out[0].item == 1);
  CHECK(out[1].item == 3);
  CHECK(out[2].item == 5);
  CHECK(out[0].score == 3.0f);

  const std::vector<std::uint8_t> skip = {0, 1, 0, 0, 0, 1};
  recsys::select_top_k(scores, skip, 2, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].item == 3);
  CHECK(out[1].item == 2);

  // k beyond the candidates: all four unskipped items, ranked.
  recsys::select_top_k(scores, skip, 10, out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].item == 3);
  CHECK(out[1].item == 2);
  CHECK(out[2].item == 0);
  CHECK(out[3].item == 4);

  recsys::select_top_k(scores, {}, 0, out);
  CHECK(out.empty());
}

TEST_CASE("top_n_all on the hand model: exclusions, short lists, ties", "[top_n]") {
  const auto m = metrics_test::hand_model();
  const TopNRequest all_rated{3, {&m.train_rated, &m.validation_rated}, nullptr};
  const TopNRequest training_only{3, {&m.train_rated, &m.validation_rated}, &m.validation_rated};
  const TopNRequest nothing{3, {}, nullptr};
  for (const int threads : {1, 3}) {
    INFO("threads " << threads);
    const auto lists = recsys::top_n_all(m.tables, {all_rated, training_only, nothing}, threads);
    REQUIRE(lists.size() == 3);
    // Training and validation items left out:
    //   u0 rated i0, i1, i3 -> i2 (3), i4 (-2): two items, shorter than k
    //   u1 rated i1, i4     -> i3 (0.75), i2 (0.25), i0 (-0.75)
    //   u2 rated i0..i3     -> i4 alone
    CHECK(as_vector(lists[0].of(0)) == Items{2, 4});
    CHECK(as_vector(lists[0].of(1)) == Items{3, 2, 0});
    CHECK(as_vector(lists[0].of(2)) == Items{4});
    CHECK(lists[0].logits_of(1)[0] == 0.75f);
    // Validation items kept: u0 -> i2 (3), i1 (1), i3 (0.5); u2 -> i3 (-0.5), i4 (-2).
    CHECK(as_vector(lists[1].of(0)) == Items{2, 1, 3});
    CHECK(as_vector(lists[1].of(1)) == Items{3, 2, 0});
    CHECK(as_vector(lists[1].of(2)) == Items{3, 4});
    // Nothing left out; ties go to the lower index: u1's i1 before i4 (both
    // 1.25), u2's i0 before i1 (both 0).
    CHECK(as_vector(lists[2].of(0)) == Items{2, 0, 1});
    CHECK(as_vector(lists[2].of(1)) == Items{1, 4, 3});
    CHECK(as_vector(lists[2].of(2)) == Items{2, 0, 1});
    CHECK(lists[2].logits_of(2)[0] == 1.0f);
  }
}

TEST_CASE("diversity: mean (1 - cosine) over each list's pairs, zero vectors at distance 1",
          "[metrics]") {
  const auto m = metrics_test::hand_model();
  // u0 [i2, i4]: cos((1,1), (-1,0)) = -1/sqrt2, so 1 + 1/sqrt2 = 1.7071 over its one pair.
  // u1 [i3, i2, i0]: i3 is the zero vector, cosine 0 with both (distance 1);
  //   cos(i2, i0) = 1/sqrt2 -> (1 + 1 + 1 - 1/sqrt2) / 3 = 0.7643.
  // u2 [i4]: one item, no pair: left out of the mean.
  // diversity = (1.7071 + 0.7643) / 2 = 1 + sqrt2/6 = 1.2357.
  const TopNLists lists = lists_of(3, {{2, 4}, {3, 2, 0}, {4}});
  std::size_t counted = 0;
  CHECK(recsys::intra_list_diversity(lists, m.tables, &counted) ==
        Approx(1.0 + kSqrt2 / 6.0).epsilon(1e-12));
  CHECK(counted == 2);

  // Identical directions have distance 0 whatever their lengths: i0 = (1,0) and (3,0).
  recsys::Embeddings e = m.tables;
  e.item_vec[8] = 3.0f;  // i4 = (3, 0)
  CHECK(recsys::intra_list_diversity(lists_of(2, {{0, 4}}), e) == Approx(0.0).margin(1e-12));
  // Two zero vectors: cosine 0, distance 1.
  e.item_vec[0] = 0.0f;  // i0 = (0, 0)
  CHECK(recsys::intra_list_diversity(lists_of(2, {{0, 3}}), e) == Approx(1.0));
  // No list with two items: no figure.
  CHECK(std::isnan(recsys::intra_list_diversity(lists_of(2, {{0}, {}}), e)));
}

TEST_CASE("gini_index: 0 for even counts, 1 for one item taking all", "[metrics]") {
  const std::vector<std::uint64_t> even = {2, 2, 2, 2};
  CHECK(recsys::gini_index(even) == Approx(0.0).margin(1e-12));
  // Ascending 0, 0, 0, 3; weights 2i - n - 1 = -3, -1, 1, 3: 3*3 / ((4 - 1) * 3) = 1.
  const std::vector<std::uint64_t> one = {0, 3, 0, 0};
  CHECK(recsys::gini_index(one) == Approx(1.0));
  // Ascending 0, 1, 1, 2, 2; weights -4, -2, 0, 2, 4: (-2 + 4 + 8) / (4 * 6) = 10/24.
  const std::vector<std::uint64_t> mixed = {1, 0, 2, 1, 2};
  CHECK(recsys::gini_index(mixed) == Approx(10.0 / 24.0));
  const std::vector<std::uint64_t> single = {5};
  CHECK(recsys::gini_index(single) == 0.0);
  const std::vector<std::uint64_t> none = {0, 0};
  CHECK(std::isnan(recsys::gini_index(none)));
}

TEST_CASE("beyond_accuracy on the hand model's lists", "[metrics]") {
  const auto m = metrics_test::hand_model();
  const TopNLists lists = lists_of(3, {{2, 4}, {3, 2, 0}, {4}});
  const auto b = recsys::beyond_accuracy(lists, m.tables, m.stats, 3);
  CHECK(b.lists == 3);
  CHECK(b.recommended == 6);
  CHECK(b.diversity == Approx(1.0 + kSqrt2 / 6.0));
  CHECK(b.diversity_lists == 2);
  // Mean ratings 3, 13/3, 4, 3.25, 1:
  //   u0 (4 + 1) / 2 = 2.5;  u1 (3.25 + 4 + 3) / 3 = 41/12;  u2 1.
  //   (2.5 + 41/12 + 1) / 3 = 83/36 = 2.3056.
  CHECK(b.mean_rating_of_recommended == Approx(83.0 / 36.0));
  // Counts of the six recommended items: i2 2, i4 1, i3 2, i2 2, i0 2, i4 1; 3 users.
  //   -log2(2/3) = log2(3) - 1 four times, -log2(1/3) = log2(3) twice:
  //   (6 log2 3 - 4) / 6 = log2(3) - 2/3 = 0.9183 bits.
  CHECK(b.novelty == Approx(std::log2(3.0) - 2.0 / 3.0));
  CHECK(b.mean_popularity == Approx(10.0 / 6.0));
  // i0, i2, i3, i4 appear: 4 of 5.
  CHECK(b.distinct == 4);
  CHECK(b.coverage == Approx(0.8));
  // Times recommended 1, 0, 2, 1, 2: the mixed case of gini_index, 10/24.
  CHECK(b.gini == Approx(10.0 / 24.0));
}

TEST_CASE("ranking_metrics on lists written by hand", "[metrics]") {
  // k = 4. Relevant: u0 {1, 5}; u1 {7}; u2 none (left out); u3 {1..6} (more than k).
  const auto relevant = rated_of({{1, 5}, {7}, {}, {1, 2, 3, 4, 5, 6}});
  // u0 [5, 0, 1, 9]: hits at ranks 1 and 3.
  //   precision 2/4; recall 2/2; DCG 1 + 1/log2(4) = 1.5, ideal 1 + 1/log2(3) = 1.6309;
  //   AP (1/1 + 2/3) / min(4, 2) = 0.8333.
  // u1 [8, 9] (short): no hit, every figure 0.
  // u3 [1, 2, 3, 4]: four hits. precision 1, recall 4/6, nDCG 1 (the ideal
  //   list has only k places), AP (1 + 1 + 1 + 1) / min(4, 6) = 1.
  const TopNLists lists = lists_of(4, {{5, 0, 1, 9}, {8, 9}, {0, 1, 2, 3}, {1, 2, 3, 4}});
  const auto r = recsys::ranking_metrics(lists, relevant);
  CHECK(r.users == 3);
  CHECK(r.relevant == 9);
  CHECK(r.hits == 6);
  CHECK(r.precision == Approx((0.5 + 0 + 1) / 3));
  CHECK(r.recall == Approx((1 + 0 + 4.0 / 6.0) / 3));
  const double ideal2 = 1 + 1 / std::log2(3.0);
  CHECK(r.ndcg == Approx((1.5 / ideal2 + 0 + 1) / 3));
  CHECK(r.hit_rate == Approx(2.0 / 3.0));
  CHECK(r.map == Approx(((1 + 2.0 / 3.0) / 2 + 0 + 1) / 3));

  // Nobody with a relevant item: no figures.
  const auto none = recsys::ranking_metrics(lists, rated_of({{}, {}, {}, {}}));
  CHECK(none.users == 0);
  CHECK(std::isnan(none.precision));
  CHECK(std::isnan(none.map));
}

TEST_CASE("relevant_items keeps ratings at or above the threshold", "[metrics]") {
  recsys::Ratings rows;
  rows.push(0, 3, 4.0f);
  rows.push(0, 1, 3.5f);
  rows.push(1, 2, 5.0f);
  rows.push(1, 2, 4.5f);  // the same pair twice counts once
  const auto r = recsys::relevant_items(rows, 3, 4.0);
  CHECK(as_vector(r.of(0)) == Items{3});
  CHECK(as_vector(r.of(1)) == Items{2});
  CHECK(r.of(2).empty());
}

TEST_CASE("evaluate on the hand model: every figure, rated movies left out", "[metrics]") {
  const auto m = metrics_test::hand_model();
  recsys::MetricsOptions o;
  o.k = 3;
  o.threads = 2;
  const auto r = recsys::evaluate(m, m.validation, o);
  CHECK(r.users == 3);
  CHECK(r.excluded_rated);
  CHECK(r.eval_rows == 3);
  // Validation predictions, stars = 1 + 4 sigmoid(logit):
  //   u0 i1: logit 1    -> 3.9242 vs 5   (error -1.0758)
  //   u0 i3: logit 0.5  -> 3.4898 vs 2   (error  1.4898)
  //   u2 i3: logit -0.5 -> 2.5102 vs 4.5 (error -1.9898)
  //   RMSE sqrt((1.1573 + 2.2196 + 3.9595) / 3) = 1.5638; MAE 4.5554 / 3 = 1.5185.
  CHECK(r.accuracy.rmse == Approx(1.5637923608589344).epsilon(1e-6));
  CHECK(r.accuracy.mae == Approx(1.5184801116982722).epsilon(1e-6));
  // Training mean (34.5 - 11.5) / (10 - 3) = 23/7; errors 1.7143, -1.2857, 1.2143:
  //   RMSE sqrt(6.0663 / 3) = 1.4220.
  CHECK(r.training_mean == Approx(23.0 / 7.0));
  CHECK(r.baseline.rmse == Approx(1.4220087353942013).epsilon(1e-6));
  // Beyond accuracy on [i2, i4], [i3, i2, i0], [i4]: the figures of the test above.
  CHECK(r.beyond.diversity == Approx(1.0 + kSqrt2 / 6.0));
  CHECK(r.beyond.novelty == Approx(std::log2(3.0) - 2.0 / 3.0));
  CHECK(r.beyond.coverage == Approx(0.8));
  // Ranking on the lists that keep validation movies: u0 [i2, i1, i3], u2 [i3, i4].
  // Relevant (>= 4 stars): u0 {i1} (i3 got 2 stars), u2 {i3}; u1 has no
  // validation row and is left out.
  //   u0: hit at rank 2 -> precision 1/3, recall 1, nDCG 1/log2(3) = 0.6309, AP 1/2
  //   u2: hit at rank 1 -> precision 1/3 (the list is short, still / k), recall 1, nDCG 1, AP 1
  CHECK(r.ranking.users == 2);
  CHECK(r.ranking.precision == Approx(1.0 / 3.0));
  CHECK(r.ranking.recall == Approx(1.0));
  CHECK(r.ranking.ndcg == Approx((1 / std::log2(3.0) + 1) / 2));
  CHECK(r.ranking.hit_rate == Approx(1.0));
  CHECK(r.ranking.map == Approx(0.75));
}

TEST_CASE("evaluate with rated movies included (the notebook's other variant)", "[metrics]") {
  const auto m = metrics_test::hand_model();
  recsys::MetricsOptions o;
  o.k = 3;
  o.include_rated = true;
  const auto r = recsys::evaluate(m, m.validation, o);
  CHECK_FALSE(r.excluded_rated);
  // Lists u0 [i2, i0, i1], u1 [i1, i4, i3], u2 [i2, i0, i1].
  //   u0 relevant {i1} at rank 3: precision 1/3, recall 1, nDCG 1/log2(4) = 0.5, AP 1/3
  //   u2 relevant {i3} not listed: all 0
  CHECK(r.ranking.precision == Approx(1.0 / 6.0));
  CHECK(r.ranking.recall == Approx(0.5));
  CHECK(r.ranking.ndcg == Approx(0.25));
  CHECK(r.ranking.hit_rate == Approx(0.5));
  CHECK(r.ranking.map == Approx(1.0 / 6.0));
  // Diversity: u0 and u2 [i2, i0, i1]: cos(i2,i0) = cos(i2,i1) = 1/sqrt2, cos(i0,i1) = 0
  //   -> (3 - sqrt2) / 3 = 0.5286 each; u1 [i1, i4, i3]: cos(i1,i4) = 0, i3 zero -> 1.
  CHECK(r.beyond.diversity == Approx((2 * (3 - kSqrt2) / 3 + 1) / 3));
  // Recommended: i2, i0, i1 twice and i1, i4, i3 -> every movie; times 2, 3, 2, 1, 1.
  CHECK(r.beyond.coverage == Approx(1.0));
  // Ascending 1, 1, 2, 2, 3; weights -4, -2, 0, 2, 4: (-4 - 2 + 4 + 12) / (4 * 9) = 10/36.
  CHECK(r.beyond.gini == Approx(10.0 / 36.0));
}

TEST_CASE("evaluate without held-out rows and with figures left out", "[metrics]") {
  const auto m = metrics_test::hand_model();
  recsys::MetricsOptions o;
  o.k = 3;
  const recsys::Ratings none;
  const auto r = recsys::evaluate(m, none, o);
  CHECK(r.eval_rows == 0);
  CHECK(std::isnan(r.accuracy.rmse));
  CHECK(r.ranking.users == 0);
  CHECK(std::isnan(r.ranking.ndcg));
  // The beyond-accuracy lists do not depend on the held-out rows.
  CHECK(r.beyond.coverage == Approx(0.8));

  o.ranking = o.beyond = false;
  const auto only_accuracy = recsys::evaluate(m, m.validation, o);
  CHECK(only_accuracy.accuracy.rows == 3);
  CHECK(std::isnan(only_accuracy.beyond.diversity));
  CHECK(only_accuracy.ranking.users == 0);
}

TEST_CASE("similar_items ranks by cosine and leaves the movie itself out", "[similar]") {
  const auto m = metrics_test::hand_model();
  // From i0 = (1,0): i2 1/sqrt2, i1 0, i3 0 (zero vector), i4 -1.
  const auto near = recsys::similar_items(m.tables, 0, 3);
  REQUIRE(near.size() == 3);
  CHECK(near[0].item == 2);
  CHECK(near[0].score == Approx(1 / kSqrt2));
  CHECK(near[1].item == 1);
  CHECK(near[2].item == 3);
  CHECK(near[2].score == 0.0f);
  // From the zero vector every cosine is 0: the lowest indexes win.
  const auto from_zero = recsys::similar_items(m.tables, 3, 10);
  REQUIRE(from_zero.size() == 4);
  CHECK(from_zero[0].item == 0);
  CHECK(from_zero[3].item == 4);
  CHECK(from_zero[3].score == 0.0f);
}

TEST_CASE("training_mean recovers the training rows' mean from the item stats", "[metrics]") {
  CHECK(recsys::training_mean(metrics_test::hand_model()) == Approx(23.0 / 7.0));
}

TEST_CASE("popularity lists: training counts only, ties to the lower index, exclusions",
          "[metrics][popularity]") {
  const auto m = metrics_test::hand_model();
  // Users with a training row of each movie: i0 u0 u2, i1 u1 u2, i2 u2 (its
  // two rows are one pair), i4 u1; none for i3. The validation rows (u0 i1,
  // u0 i3, u2 i3) do not count: with them i1 would lead with 3 and i3 would
  // pass i2 and i4, as it does in the model's per-movie statistics.
  const auto counts = recsys::training_counts(m.train_rated, 5);
  CHECK(counts == std::vector<std::uint32_t>{2, 2, 1, 0, 1});
  CHECK(m.stats.count == std::vector<std::uint32_t>{2, 3, 2, 2, 1});
  // Order: i0 and i1 tie at 2, i2 and i4 at 1, each tie to the lower index:
  // i0, i1, i2, i4, i3.
  const TopNRequest all_rated{3, {&m.train_rated, &m.validation_rated}, nullptr};
  const TopNRequest training_only{3, {&m.train_rated, &m.validation_rated}, &m.validation_rated};
  const TopNRequest nothing{3, {}, nullptr};
  const auto lists = recsys::popularity_lists(counts, 3, {all_rated, training_only, nothing});
  REQUIRE(lists.size() == 3);
  // Training and validation movies left out: u0 (i0, i1, i3) -> [i2, i4];
  // u1 (i1, i4) -> [i0, i2, i3]; u2 (i0..i3) -> [i4], a short list.
  CHECK(as_vector(lists[0].of(0)) == Items{2, 4});
  CHECK(as_vector(lists[0].of(1)) == Items{0, 2, 3});
  CHECK(as_vector(lists[0].of(2)) == Items{4});
  CHECK(lists[0].logits_of(1)[0] == 2.0f);
  CHECK(lists[0].logits_of(1)[2] == 0.0f);
  // Validation movies kept: u0 (i0 left out) -> [i1, i2, i4]; u2 (i0..i2) -> [i4, i3].
  CHECK(as_vector(lists[1].of(0)) == Items{1, 2, 4});
  CHECK(as_vector(lists[1].of(1)) == Items{0, 2, 3});
  CHECK(as_vector(lists[1].of(2)) == Items{4, 3});
  // Nothing left out: the same list for everyone.
  for (std::uint32_t u = 0; u < 3; ++u) CHECK(as_vector(lists[2].of(u)) == Items{0, 1, 2});
  CHECK(lists[2].k == 3);
  CHECK(lists[2].stride == 3);

  // k beyond the catalogue: every candidate, in order; the stride is the catalogue.
  const auto longer = recsys::popularity_lists(counts, 3, {TopNRequest{9, {}, nullptr}});
  CHECK(longer[0].stride == 5);
  CHECK(as_vector(longer[0].of(1)) == Items{0, 1, 2, 4, 3});
  // No movies: empty lists.
  const auto none = recsys::popularity_lists({}, 2, {nothing});
  CHECK(none[0].length == std::vector<std::uint32_t>{0, 0});
}

TEST_CASE("evaluate: the popularity yardstick on the hand model", "[metrics][popularity]") {
  const auto m = metrics_test::hand_model();
  recsys::MetricsOptions o;
  o.k = 3;
  const auto r = recsys::evaluate(m, m.validation, o);
  const auto& g = r.popularity.ranking;
  // Ranking lists of the test above: u0 [i1, i2, i4], u2 [i4, i3]; relevant
  // u0 {i1}, u2 {i3}; u1 has no validation row and is left out.
  //   u0: hit at rank 1 -> precision 1/3, recall 1, nDCG 1, AP 1
  //   u2: hit at rank 2 -> precision 1/3, recall 1, nDCG 1/log2(3), AP 1/2
  // Counting the validation rows would give u2 [i3, i4] and nDCG 1.
  CHECK(g.users == 2);
  CHECK(g.hits == 2);
  CHECK(g.precision == Approx(1.0 / 3.0));
  CHECK(g.recall == Approx(1.0));
  CHECK(g.ndcg == Approx((1 + 1 / std::log2(3.0)) / 2));
  CHECK(g.hit_rate == Approx(1.0));
  CHECK(g.map == Approx(0.75));
  // Beyond-accuracy lists [i2, i4], [i0, i2, i3], [i4]: the model's movies in
  // another order, so the model's figures (the beyond_accuracy test above).
  const auto& b = r.popularity.beyond;
  CHECK(b.diversity == Approx(1.0 + kSqrt2 / 6.0));
  CHECK(b.novelty == Approx(std::log2(3.0) - 2.0 / 3.0));
  CHECK(b.mean_popularity == Approx(10.0 / 6.0));
  CHECK(b.coverage == Approx(0.8));
  CHECK(b.gini == Approx(10.0 / 24.0));

  o.include_rated = true;
  const auto incl = recsys::evaluate(m, m.validation, o);
  // Every list is [i0, i1, i2].
  //   u0 {i1} at rank 2: precision 1/3, recall 1, nDCG 1/log2(3), AP 1/2; u2 {i3}: no hit.
  const auto& gi = incl.popularity.ranking;
  CHECK(gi.precision == Approx(1.0 / 6.0));
  CHECK(gi.recall == Approx(0.5));
  CHECK(gi.ndcg == Approx(0.5 / std::log2(3.0)));
  CHECK(gi.hit_rate == Approx(0.5));
  CHECK(gi.map == Approx(0.25));
  // Diversity: cos(i0,i1) = 0, cos(i0,i2) = cos(i1,i2) = 1/sqrt2 -> (3 - sqrt2) / 3.
  // Counts (all rows) 2, 3, 2 of 3 users: (2 (log2 3 - 1) + 0) / 3 bits; mean
  // popularity 7/3; mean rating (3 + 13/3 + 4) / 3 = 34/9. Times 3, 3, 3, 0, 0:
  // ascending weights -4, -2, 0, 2, 4 -> (0 + 6 + 12) / (4 * 9) = 1/2.
  const auto& bi = incl.popularity.beyond;
  CHECK(bi.diversity == Approx((3 - kSqrt2) / 3));
  CHECK(bi.novelty == Approx(2 * (std::log2(3.0) - 1) / 3));
  CHECK(bi.mean_popularity == Approx(7.0 / 3.0));
  CHECK(bi.mean_rating_of_recommended == Approx(34.0 / 9.0));
  CHECK(bi.distinct == 3);
  CHECK(bi.coverage == Approx(0.6));
  CHECK(bi.gini == Approx(0.5));

  // A test file: u0 and u1 give i3 4 and 5 stars. Popularity still comes
  // from the training rows alone (counting these two would put i3 third,
  // before i2). Ranking lists leave out training and validation movies but
  // keep the test movie: u0 [i2, i4, i3], u1 [i0, i2, i3]; a hit at rank 3
  // each: precision 1/3, recall 1, nDCG 1/log2(4) = 1/2, AP 1/3.
  recsys::Ratings test;
  test.push(0, 3, 4.0f);
  test.push(1, 3, 5.0f);
  o.include_rated = false;
  const auto on_test = recsys::evaluate(m, test, o);
  const auto& gt = on_test.popularity.ranking;
  CHECK(gt.users == 2);
  CHECK(gt.precision == Approx(1.0 / 3.0));
  CHECK(gt.recall == Approx(1.0));
  CHECK(gt.ndcg == Approx(0.5));
  CHECK(gt.map == Approx(1.0 / 3.0));
}
