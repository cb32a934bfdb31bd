// Choosing the films to project: the mean-rating ranking with its cut-off and
// tie rules, the damped (shrunk) mean, and the count ranking.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recsys/eval/best_rated.hpp"
#include "support.hpp"

using recsys::IdMap;
using recsys::ItemStats;
using recsys::RankBy;
using recsys::Ranking;

namespace {

struct Film {
  std::string id;
  std::uint32_t count;
  double mean;
};

struct Fixture {
  IdMap items;
  ItemStats stats;
  explicit Fixture(const std::vector<Film>& films) {
    for (const auto& f : films) {
      items.intern(f.id);
      stats.count.push_back(f.count);
      stats.mean.push_back(f.count ? f.mean : 0.0);
    }
  }
  std::vector<std::string> ids(const Ranking& r) const {
    std::vector<std::string> out;
    for (const auto& f : r.films) out.push_back(items.token(f.item));
    return out;
  }
};

}  // namespace

TEST_CASE("mean ranking drops films under the cut-off and breaks ties by count, then movieId",
          "[best_rated]") {
  const Fixture f({{"7", 1, 5.0},     // perfect mean from one rating: below the cut-off
                   {"10", 20, 4.0},   // ties with 9 and 100 on the mean
                   {"9", 20, 4.0},    // same count as 10: the lower id first (9 < 10 as numbers)
                   {"100", 50, 4.0},  // more ratings: first of the three
                   {"3", 19, 4.9},    // one rating short
                   {"2", 25, 4.5},
                   {"5", 0, 0.0}});  // never rated
  const Ranking r = recsys::rank_films(f.stats, f.items, RankBy::Mean, 20);
  CHECK(f.ids(r) == std::vector<std::string>{"2", "100", "9", "10"});
  CHECK(r.films[0].score == Approx(4.5));
  // Cut-off 1 lets every rated film in; the unrated one never ranks.
  const Ranking all = recsys::rank_films(f.stats, f.items, RankBy::Mean, 0);
  CHECK(f.ids(all) == std::vector<std::string>{"7", "3", "2", "100", "9", "10"});
}

TEST_CASE("movieIds compare as numbers when both are integers, else as text", "[best_rated]") {
  CHECK(recsys::movie_id_less("9", "10"));
  CHECK_FALSE(recsys::movie_id_less("10", "9"));
  CHECK(recsys::movie_id_less("007", "10"));
  CHECK(recsys::movie_id_less("99999999999999999999", "100000000000000000000"));  // beyond 64 bits
  CHECK(recsys::movie_id_less("B10", "B9"));                                      // text
  CHECK_FALSE(recsys::movie_id_less("5", "5"));
}

TEST_CASE("damped mean shrinks few-rating films towards the global mean, with no cut-off",
          "[best_rated]") {
  // Global mean: (1*5 + 100*4 + 10*3) / 111.
  const Fixture f({{"1", 1, 5.0}, {"2", 100, 4.0}, {"3", 10, 3.0}});
  const double global = (5.0 + 400.0 + 30.0) / 111.0;
  const Ranking r = recsys::rank_films(f.stats, f.items, RankBy::Damped, 20);
  REQUIRE(r.films.size() == 3);
  CHECK(r.global_mean == Approx(global));
  CHECK(f.ids(r) == std::vector<std::string>{"2", "1", "3"});
  CHECK(r.films[0].score == Approx((100 * 4.0 + 20 * global) / 120));
  CHECK(r.films[1].score == Approx((5.0 + 20 * global) / 21));
  // With m = 0 the damped mean is the plain mean.
  const Ranking plain = recsys::rank_films(f.stats, f.items, RankBy::Damped, 0);
  CHECK(f.ids(plain) == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("count ranking: most rated first, among films over the cut-off", "[best_rated]") {
  const Fixture f({{"1", 30, 2.0}, {"2", 300, 3.0}, {"3", 5, 5.0}, {"4", 30, 4.0}});
  const Ranking r = recsys::rank_films(f.stats, f.items, RankBy::Count, 10);
  CHECK(f.ids(r) == std::vector<std::string>{"2", "1", "4"});
}

TEST_CASE("rank-by names parse, and an unknown one is a user error", "[best_rated]") {
  CHECK(recsys::parse_rank_by("mean") == RankBy::Mean);
  CHECK(recsys::parse_rank_by("damped") == RankBy::Damped);
  CHECK(recsys::parse_rank_by("count") == RankBy::Count);
  const auto e = test_support::error_from([] { recsys::parse_rank_by("median"); });
  REQUIRE(e);
  CHECK(e->message().find("median") != std::string::npos);
}
