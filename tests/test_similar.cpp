// similar's two choices: which movies may be neighbours (--min-ratings) and
// which movie a piece of title names (--title), on the hand-worked model of
// metrics_model.hpp and on titles written out here.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics_model.hpp"
#include "recsys/data/title_search.hpp"
#include "recsys/eval/popularity.hpp"
#include "recsys/eval/similar_items.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

using Items = std::vector<std::uint32_t>;

namespace {

Items items_of(const std::vector<recsys::ScoredItem>& near) {
  Items out;
  for (const auto& s : near) out.push_back(s.item);
  return out;
}

}  // namespace

TEST_CASE("similar_items leaves out movies below the minimum count", "[similar]") {
  const auto m = metrics_test::hand_model();
  // Users with a training row of each movie: i0 2, i1 2, i2 1 (u2 twice is
  // one pair), i3 0, i4 1.
  const auto counts = recsys::training_counts(m.train_rated, 5);
  REQUIRE(counts == std::vector<std::uint32_t>{2, 2, 1, 0, 1});
  // From i0 = (1,0) the cosines are i2 0.7071, i1 0, i3 0 (zero vector), i4 -1.
  CHECK(items_of(recsys::similar_items(m.tables, 0, 10)) == Items{2, 1, 3, 4});
  CHECK(items_of(recsys::similar_items(m.tables, 0, 10, {counts, 0})) == Items{2, 1, 3, 4});
  // At 1 the movie without a training row goes; at 2 only i1 is left.
  CHECK(items_of(recsys::similar_items(m.tables, 0, 10, {counts, 1})) == Items{2, 1, 4});
  CHECK(items_of(recsys::similar_items(m.tables, 0, 10, {counts, 2})) == Items{1});
  CHECK(recsys::similar_items(m.tables, 0, 10, {counts, 3}).empty());
  // The movie asked about needs no count of its own: i3 has none.
  CHECK(items_of(recsys::similar_items(m.tables, 3, 10, {counts, 2})) == Items{0, 1});
}

TEST_CASE("find_titles: any case, every match, a whole title alone", "[similar][titles]") {
  const std::vector<std::string> titles = {"Toy Story (1995)",   "Up (2009)",
                                           "Fired Up (2009)",    "",
                                           "Toy Story 2 (1999)", "Amélie (2001)"};
  CHECK(recsys::find_titles(titles, "toy STORY") == Items{0, 4});
  CHECK(recsys::find_titles(titles, "story 2") == Items{4});
  CHECK(recsys::find_titles(titles, "p (2009)") == Items{1, 2});
  // A title equal to the text (case ignored) wins over the titles that
  // contain it: "Up (2009)" could not be chosen otherwise.
  CHECK(recsys::find_titles(titles, "up (2009)") == Items{1});
  CHECK(recsys::find_titles(titles, "UP (2009)") == Items{1});
  CHECK(recsys::find_titles(titles, "Fired up (2009)") == Items{2});
  CHECK(recsys::find_titles(titles, "toy story (1995)") == Items{0});
  // Only ASCII letters fold: é is compared as its bytes.
  CHECK(recsys::find_titles(titles, "AMéLIE") == Items{5});
  CHECK(recsys::find_titles(titles, "AMÉLIE").empty());
  CHECK(recsys::find_titles(titles, "Zorro").empty());
  CHECK(recsys::find_titles(titles, "").empty());
  // Two equal titles are two matches, never a guess.
  CHECK(recsys::find_titles({"Emma (1996)", "Emma (1996)"}, "emma (1996)") == Items{0, 1});
}

TEST_CASE("similar_items in every kernel set: the cosines of a plain double loop", "[similar]") {
  FOR_EACH_KERNEL_SET();
  for (const int dim : {32, 7}) {  // the unrolled length and a run-time one
    recsys::Rng rng(40 + std::uint64_t(dim));
    const auto t = recsys::Embeddings::random(3, 500, dim, 1.0, rng);
    const std::uint32_t query = 17;
    auto cosine = [&](std::uint32_t i) {
      double ab = 0, aa = 0, bb = 0;
      for (int d = 0; d < dim; ++d) {
        ab += double(t.item_row(i)[d]) * t.item_row(query)[d];
        aa += double(t.item_row(i)[d]) * t.item_row(i)[d];
        bb += double(t.item_row(query)[d]) * t.item_row(query)[d];
      }
      return ab / std::sqrt(aa * bb);
    };
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < 500; ++i)
      if (i != query) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return cosine(a) > cosine(b); });
    const auto near = recsys::similar_items(t, query, 20);
    REQUIRE(near.size() == 20);
    for (std::size_t r = 0; r < near.size(); ++r) {
      INFO("dim " << dim << ", rank " << r);
      CHECK(near[r].score == Approx(cosine(near[r].item)).margin(1e-6));
      CHECK(std::abs(cosine(near[r].item) - cosine(order[r])) < 1e-6);  // ties may swap
    }
  }
}
