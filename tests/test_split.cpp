// Dividing one ratings file into training and validation rows: the random
// holdout, and the time splits (each user's latest ratings, the latest of
// all) on hand-made files with timestamps, whose parts are worked out by hand
// in the comments.
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/data/split.hpp"
#include "recsys/util/error.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using recsys::HoldOut;
using recsys::Ratings;
using recsys::Split;
using test_support::error_from;
using test_support::TempDir;

namespace {
Ratings numbered_rows(std::size_t n) {
  Ratings all;
  for (std::size_t k = 0; k < n; ++k)
    all.push(static_cast<std::uint32_t>(k % 7), static_cast<std::uint32_t>(k % 5),
             static_cast<float>(k));
  return all;
}
}  // namespace

TEST_CASE("random_split holds out ceil(n * fraction) rows, keeping file order", "[split]") {
  struct Case {
    std::size_t n;
    double fraction;
    std::size_t val;
  };
  // 10 * 0.25 = 2.5 -> 3; 7 * 0.5 = 3.5 -> 4; 7 * 0.2 = 1.4 -> 2; 100 * 0.1 = 10 -> 10;
  // 3 * 0.01 = 0.03 -> 1; any n * 0 -> 0.
  for (const Case c : {Case{10, 0.25, 3}, Case{7, 0.5, 4}, Case{7, 0.2, 2}, Case{100, 0.1, 10},
                       Case{3, 0.01, 1}, Case{9, 0.0, 0}}) {
    INFO("n " << c.n << ", fraction " << c.fraction);
    const Ratings all = numbered_rows(c.n);
    Ratings train, val;
    recsys::random_split(all, c.fraction, 42, train, val);
    CHECK(val.size() == c.val);
    CHECK(train.size() == c.n - c.val);
    // Stars number the rows: together the parts hold each row once, each in file order,
    // with the user and item of the row carried along.
    std::set<float> seen;
    for (const Ratings* part : {&train, &val}) {
      for (std::size_t k = 0; k < part->size(); ++k) {
        const auto row = static_cast<std::size_t>(part->stars[k]);
        CHECK(seen.insert(part->stars[k]).second);
        CHECK(part->user[k] == row % 7);
        CHECK(part->item[k] == row % 5);
        if (k > 0) CHECK(part->stars[k - 1] < part->stars[k]);
      }
    }
    CHECK(seen.size() == c.n);
  }
}

TEST_CASE("random_split is determined by the seed", "[split]") {
  const Ratings all = numbered_rows(200);
  Ratings t1, v1, t2, v2, t3, v3;
  recsys::random_split(all, 0.2, 7, t1, v1);
  recsys::random_split(all, 0.2, 7, t2, v2);
  recsys::random_split(all, 0.2, 8, t3, v3);
  CHECK(v1.stars == v2.stars);
  CHECK(t1.stars == t2.stars);
  CHECK(v1.size() == 40u);
  CHECK(v3.size() == 40u);
  CHECK(v1.stars != v3.stars);
  // Not simply the first or last 40 rows of the file (any single row may be
  // drawn: row 199 is in a random 20% with probability 0.2).
  CHECK_FALSE((v1.stars.front() == 0.0f && v1.stars.back() == 39.0f));
  CHECK_FALSE((v1.stars.front() == 160.0f && v1.stars.back() == 199.0f));
}

// ---------------------------------------------------------------------------
// The time splits.

namespace {

using Rows = std::vector<std::string>;

// Rows as "user,movie,stars" with the file's own ids, in the part's order.
Rows rows_of(const recsys::Dataset& d, const Ratings& part) {
  Rows out;
  for (std::size_t k = 0; k < part.size(); ++k)
    out.push_back(d.users.token(part.user[k]) + "," + d.items.token(part.item[k]) + "," +
                  std::to_string(static_cast<int>(part.stars[k])));
  return out;
}

recsys::Dataset load_split(const std::string& path, HoldOut hold_out) {
  recsys::DatasetOptions o;
  o.ratings_path = path;
  o.movies_path = "";
  return recsys::load_dataset(o, hold_out);
}

// Ten rows, users interleaved (not grouped by user), with ties in time.
// Row k is on line k + 2; by user, with their timestamps:
//   user 1: rows 0 (100), 1 (300), 3 (200), 6 (300: ties row 1, a later line)
//   user 2: row 2 (50), its only rating
//   user 3: rows 4 (10), 5 (10: ties row 4, a later line), 7 (5)
//   user 4: rows 8 (7), 9 (7: ties row 8, a later line)
const std::string kTimed =
    "userId,movieId,rating,timestamp\n"
    "1,10,1,100\n"
    "1,11,2,300\n"
    "2,10,3,50\n"
    "1,12,3,200\n"
    "3,10,4,10\n"
    "3,11,5,10\n"
    "1,13,4,300\n"
    "3,12,1,5\n"
    "4,10,2,7\n"
    "4,11,3,7\n";

}  // namespace

TEST_CASE("user-time holds out each user's latest ratings, ties by file order", "[split]") {
  TempDir dir;
  const auto path = dir.write("ratings.csv", kTimed);
  SECTION("fraction 0.5") {
    // User 1: ceil(4 * 0.5) = 2 latest: row 6 (300, the later line of the tie), row 1 (300).
    // User 2: one rating, stays in training. User 3: ceil(3 * 0.5) = 2: rows 5 and 4 (10).
    // User 4: ceil(2 * 0.5) = 1: row 9 (7, the later line of the tie).
    const auto d = load_split(path, {0.5, 42, Split::UserTime});
    CHECK(rows_of(d, d.val) == Rows{"1,11,2", "3,10,4", "3,11,5", "1,13,4", "4,11,3"});
    CHECK(rows_of(d, d.train) == Rows{"1,10,1", "2,10,3", "1,12,3", "3,12,1", "4,10,2"});
    CHECK(d.ratings_file_rows == 10u);
  }
  SECTION("fraction 0.1: at least one of each user's ratings") {
    // ceil(4 * 0.1) = ceil(3 * 0.1) = ceil(2 * 0.1) = 1: rows 6, 5 and 9; user 2 stays.
    const auto d = load_split(path, {0.1, 42, Split::UserTime});
    CHECK(rows_of(d, d.val) == Rows{"3,11,5", "1,13,4", "4,11,3"});
    CHECK(rows_of(d, d.train) ==
          Rows{"1,10,1", "1,11,2", "2,10,3", "1,12,3", "3,10,4", "3,12,1", "4,10,2"});
  }
  SECTION("fraction 0.9: never all of a user's ratings") {
    // ceil(4 * 0.9) = 4, capped at 3: rows 6, 1, 3, leaving row 0. User 3: ceil(2.7) = 3,
    // capped at 2: rows 5, 4, leaving row 7. User 4: ceil(1.8) = 2, capped at 1: row 9.
    const auto d = load_split(path, {0.9, 42, Split::UserTime});
    CHECK(rows_of(d, d.val) == Rows{"1,11,2", "1,12,3", "3,10,4", "3,11,5", "1,13,4", "4,11,3"});
    CHECK(rows_of(d, d.train) == Rows{"1,10,1", "2,10,3", "3,12,1", "4,10,2"});
  }
  SECTION("fraction 0 holds out nothing") {
    const auto d = load_split(path, {0.0, 42, Split::UserTime});
    CHECK(d.val.size() == 0u);
    CHECK(d.train.size() == 10u);
  }
}

TEST_CASE("time holds out the latest ratings of all, ties by file order", "[split]") {
  TempDir dir;
  const auto path = dir.write("ratings.csv", kTimed);
  // From the latest: row 6 (300, the later line), 1 (300), 3 (200), 0 (100), 2 (50),
  // 5 (10, the later line), 4 (10), 9 (7, the later line), 8 (7), 7 (5).
  SECTION("the cutoff inside a tie: ceil(10 * 0.1) = 1 row") {
    const auto d = load_split(path, {0.1, 42, Split::Time});
    CHECK(rows_of(d, d.val) == Rows{"1,13,4"});
    CHECK(d.train.size() == 9u);
  }
  SECTION("ceil(10 * 0.5) = 5 rows") {
    const auto d = load_split(path, {0.5, 42, Split::Time});
    CHECK(rows_of(d, d.val) == Rows{"1,10,1", "1,11,2", "2,10,3", "1,12,3", "1,13,4"});
    CHECK(rows_of(d, d.train) == Rows{"3,10,4", "3,11,5", "3,12,1", "4,10,2", "4,11,3"});
  }
  SECTION("ceil(10 * 0.75) = 8 rows, the cutoff inside the tie of rows 8 and 9") {
    const auto d = load_split(path, {0.75, 42, Split::Time});
    CHECK(rows_of(d, d.train) == Rows{"3,12,1", "4,10,2"});
    CHECK(rows_of(d, d.val) ==
          Rows{"1,10,1", "1,11,2", "2,10,3", "1,12,3", "3,10,4", "3,11,5", "1,13,4", "4,11,3"});
  }
  SECTION("a one-rating user may go to validation: the cutoff is global") {
    // ceil(10 * 0.45) = 5 as above, with user 2's one rating (row 2, 50) among them.
    const auto d = load_split(path, {0.45, 42, Split::Time});
    CHECK(rows_of(d, d.val) == Rows{"1,10,1", "1,11,2", "2,10,3", "1,12,3", "1,13,4"});
  }
}

TEST_CASE("the time splits are deterministic and ignore the seed", "[split]") {
  TempDir dir;
  const auto path = dir.write("ratings.csv", kTimed);
  for (const Split split : {Split::UserTime, Split::Time}) {
    const auto a = load_split(path, {0.3, 1, split});
    const auto b = load_split(path, {0.3, 1, split});
    const auto c = load_split(path, {0.3, 99, split});
    CHECK(rows_of(a, a.val) == rows_of(b, b.val));
    CHECK(rows_of(a, a.train) == rows_of(b, b.train));
    CHECK(rows_of(a, a.val) == rows_of(c, c.val));
    CHECK(rows_of(a, a.train) == rows_of(c, c.train));
  }
}

TEST_CASE("duplicate rows are dropped before a time split, their timestamps with them", "[split]") {
  // Row 0 is overwritten by row 2 (the same pair, a later line) whatever its timestamp, so
  // user 1 keeps rows 1 (100), 2 (50), 3 (200): the latest is row 3. Had row 0's timestamp
  // (500) stayed behind, it would have gone to row 1 instead.
  TempDir dir;
  const auto path = dir.write("ratings.csv",
                              "userId,movieId,rating,timestamp\n"
                              "1,10,1,500\n"
                              "1,11,2,100\n"
                              "1,10,3,50\n"
                              "1,12,4,200\n");
  const auto d = load_split(path, {0.25, 42, Split::UserTime});
  CHECK(d.duplicate_rows == 1u);
  CHECK(rows_of(d, d.val) == Rows{"1,12,4"});
  CHECK(rows_of(d, d.train) == Rows{"1,11,2", "1,10,3"});
}

TEST_CASE("the split functions on rows and timestamps directly", "[split]") {
  // Users 0 and 1 alternate; the timestamps run backwards, so the earliest lines are the
  // latest ratings. User 0: rows 0 (9), 2 (7), 4 (5); user 1: rows 1 (8), 3 (6), 5 (4).
  Ratings rows;
  for (std::uint32_t k = 0; k < 6; ++k) rows.push(k % 2, k, static_cast<float>(k));
  const std::vector<std::int64_t> t = {9, 8, 7, 6, 5, 4};
  SECTION("user-time: ceil(3 * 0.5) = 2 latest of each user") {
    Ratings train = rows, val;
    recsys::user_time_split_in_place(train, t, 0.5, 2, val);
    CHECK(val.stars == std::vector<float>{0, 1, 2, 3});
    CHECK(train.stars == std::vector<float>{4, 5});
    CHECK(train.user == std::vector<std::uint32_t>{0, 1});
  }
  SECTION("time: ceil(6 * 0.5) = 3 latest of all") {
    Ratings train = rows, val;
    recsys::time_split_in_place(train, t, 0.5, val);
    CHECK(val.stars == std::vector<float>{0, 1, 2});
    CHECK(train.stars == std::vector<float>{3, 4, 5});
    CHECK(train.item == std::vector<std::uint32_t>{3, 4, 5});
  }
}

TEST_CASE("a time split needs a timestamp column with whole numbers", "[split][errors]") {
  TempDir dir;
  SECTION("no timestamp column: the error names the file, line 1 and the column") {
    const auto path = dir.write("ratings.csv", "userId,movieId,rating\n1,10,4\n2,10,3\n");
    for (const Split split : {Split::UserTime, Split::Time}) {
      const auto e = error_from([&] { load_split(path, {0.1, 42, split}); });
      REQUIRE(e);
      CHECK(e->file() == path);
      CHECK(e->line() == 1u);
      CHECK_THAT(e->message(), Contains("missing column 'timestamp'"));
      CHECK_THAT(e->message(), Contains("--timestamp-col"));
      CHECK_THAT(e->message(), Contains("--split random"));
    }
    // The random split does not read it.
    CHECK(load_split(path, {0.5, 42, Split::Random}).val.size() == 1u);
  }
  SECTION("a timestamp column of another name") {
    const auto path = dir.write("ratings.csv", "userId,movieId,rating,when\n1,10,4,2\n1,11,3,1\n");
    recsys::DatasetOptions o;
    o.ratings_path = path;
    const auto missing = error_from([&] { recsys::load_dataset(o, {0.5, 42, Split::Time}); });
    REQUIRE(missing);
    CHECK_THAT(missing->message(), Contains("missing column 'timestamp'"));
    o.load.columns.timestamp = "when";
    const auto d = recsys::load_dataset(o, {0.5, 42, Split::Time});
    CHECK(rows_of(d, d.val) == Rows{"1,10,4"});
  }
  struct Bad {
    std::string row, says;
  };
  for (const Bad& bad : {Bad{"2,10,3,yesterday", "timestamp 'yesterday' is not a whole number"},
                         Bad{"2,10,3,1.5", "timestamp '1.5' is not a whole number"},
                         Bad{"2,10,3,99999999999999999999", "is not a whole number"},
                         Bad{"2,10,3,", "empty timestamp"}, Bad{"2,10,3, ", "empty timestamp"}}) {
    INFO(bad.row);
    const auto path =
        dir.write("bad.csv", "userId,movieId,rating,timestamp\n1,10,4,1\n" + bad.row + "\n");
    const auto e = error_from([&] { load_split(path, {0.1, 42, Split::UserTime}); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK(e->line() == 3u);
    CHECK_THAT(e->message(), Contains(bad.says));
    CHECK_THAT(e->message(), Contains("fix or remove the row"));
  }
  SECTION("negative and signed timestamps are whole numbers too") {
    const auto path =
        dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4,-5\n1,11,3,+7\n");
    const auto d = load_split(path, {0.5, 42, Split::Time});
    CHECK(rows_of(d, d.val) == Rows{"1,11,3"});
  }
}

TEST_CASE("with a validation file the split is not used and no timestamp is read", "[split]") {
  TempDir dir;
  recsys::DatasetOptions o;
  o.ratings_path = dir.write("train.csv", "userId,movieId,rating\n1,10,4\n1,11,3\n");
  o.val_path = dir.write("val.csv", "userId,movieId,rating\n1,12,5\n");
  for (const Split split : {Split::UserTime, Split::Time}) {
    const auto d = recsys::load_dataset(o, {0.5, 42, split});
    CHECK(d.train.size() == 2u);
    CHECK(rows_of(d, d.val) == Rows{"1,12,5"});
  }
}
