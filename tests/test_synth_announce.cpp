// `recsys synth` says what it is about to write (rows, users, movies, about
// how many MB, where) before writing, naming the 25M-shaped defaults when no
// size was given; the size estimate against what is really written.
#include <catch2/catch.hpp>
#include <string>
#include <tuple>

#include "recsys/synth/synth.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;

TEST_CASE("the ratings.csv size estimate is near the bytes written", "[synth]") {
  for (const auto& [users, movies, ratings] :
       {std::tuple{300, 400, 20000}, std::tuple{2000, 1500, 60000}, std::tuple{40, 30, 500}}) {
    recsys::SynthOptions o;
    o.users = users, o.movies = movies, o.ratings = ratings;
    test_support::TempDir dir;
    const recsys::SynthReport r = recsys::write_synthetic(o, dir.file("out"));
    INFO(users << " users, " << movies << " movies, " << ratings << " ratings: " << r.ratings_bytes
               << " bytes written");
    CHECK(static_cast<double>(recsys::estimated_ratings_bytes(o)) ==
          Approx(static_cast<double>(r.ratings_bytes)).epsilon(0.05));
  }
  // The defaults: 25,000,095 rows of about 27 bytes (6-digit users, 5-digit movies).
  const auto mb = static_cast<double>(recsys::estimated_ratings_bytes({})) / 1e6;
  CHECK(mb > 600);
  CHECK(mb < 720);
}

TEST_CASE("synth says what it will write before writing it", "[synth][cli]") {
  test_support::TempDir dir;
  const auto small = test_support::run_cli(
      "synth --n-users 40 --n-movies 30 --n-ratings 500 --out '" + dir.file("small") + "'");
  REQUIRE(small.code == 0);
  CHECK_THAT(small.err, Contains("writing 500 ratings by 40 users of 30 movies (ratings.csv "
                                 "about 1"));  // 500 rows of about 20 bytes
  CHECK_THAT(small.err, Contains(" kB) to " + dir.file("small")));
  CHECK(small.err.find("writing") < small.err.find("wrote"));
  CHECK(small.err.find("no size given") == std::string::npos);

  // With no size option the line names the defaults, and comes at once:
  // stopped after two seconds, long before the 25M rows are written, synth
  // has said it.
  const auto big = test_support::run_cli("synth --out '" + dir.file("big") + "'", "timeout 2");
  CHECK(big.code == 124);  // timeout's code: stopped, not finished
  CHECK_THAT(big.err, Contains("writing 25,000,095 ratings by 162,541 users of 59,047 movies "
                               "(ratings.csv about 6"));  // 600-699 MB
  CHECK_THAT(big.err, Contains("no size given, so the shape of MovieLens 25M"));
  // Bad output paths are still one line, the error, with nothing announced.
  const std::string blocked = dir.write("blocked", "a file\n") + "/out";
  const auto bad = test_support::run_cli("synth --out '" + blocked + "'");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("writing") == std::string::npos);
}
