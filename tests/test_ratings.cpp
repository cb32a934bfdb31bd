// The CSV loaders (ratings, movies, the whole dataset), the scaler, the
// random split and the item statistics; and every error the loader reports,
// with its file, line and message.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/data/item_stats.hpp"
#include "recsys/data/movies.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/util/error.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using recsys::IdMap;
using recsys::LoadOptions;
using recsys::Ratings;
using test_support::error_from;
using test_support::TempDir;

namespace {

struct Loaded {
  IdMap users, items;
  Ratings rows;
};

Loaded load(const std::string& path, const LoadOptions& options = {}) {
  Loaded l;
  recsys::load_ratings(path, options, l.users, l.items, l.rows);
  return l;
}

std::vector<std::string> tokens(const IdMap& m) { return m.tokens(); }

recsys::DatasetOptions dataset_options(const std::string& ratings) {
  recsys::DatasetOptions d;
  d.ratings_path = ratings;
  return d;
}

// Every row in training: these tests are about loading, not the split.
constexpr recsys::HoldOut kNoHoldOut{0.0, 42};

}  // namespace

// ---------------------------------------------------------------------------
// Loading

TEST_CASE("ids are mapped to indexes in order of first appearance", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv",
                              "userId,movieId,rating,timestamp\n"
                              "10,300,4.0,1\n"
                              "7,100,3.5,2\n"
                              "10,100,5,3\n"
                              "3,200,0.5,4\n"
                              "7,300,2.5,5\n");
  const Loaded l = load(path);
  CHECK(tokens(l.users) == std::vector<std::string>{"10", "7", "3"});
  CHECK(tokens(l.items) == std::vector<std::string>{"300", "100", "200"});
  CHECK(l.rows.user == std::vector<std::uint32_t>{0, 1, 0, 2, 1});
  CHECK(l.rows.item == std::vector<std::uint32_t>{0, 1, 1, 2, 0});
  CHECK(l.rows.stars == std::vector<float>{4.0f, 3.5f, 5.0f, 0.5f, 2.5f});
  CHECK(l.users.find("7") == std::optional<std::uint32_t>(1));
  CHECK(!l.users.find("4").has_value());
}

TEST_CASE("loading appends to existing maps and rows", "[ratings]") {
  TempDir dir;
  const auto a = dir.write("a.csv", "userId,movieId,rating\n1,10,1\n2,20,2\n");
  const auto b = dir.write("b.csv", "userId,movieId,rating\n2,30,3\n3,10,4\n");
  Loaded l;
  recsys::load_ratings(a, {}, l.users, l.items, l.rows);
  recsys::load_ratings(b, {}, l.users, l.items, l.rows);
  CHECK(tokens(l.users) == std::vector<std::string>{"1", "2", "3"});
  CHECK(tokens(l.items) == std::vector<std::string>{"10", "20", "30"});
  CHECK(l.rows.user == std::vector<std::uint32_t>{0, 1, 1, 2});
  CHECK(l.rows.item == std::vector<std::uint32_t>{0, 1, 2, 0});
  CHECK(l.rows.stars == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("string ids such as B000123 are kept as tokens", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv",
                              "userId,movieId,rating\n"
                              "A3F9XK,B000123,5\n"
                              "user-2,0042,1\n"
                              "A3F9XK,42,3\n");
  const Loaded l = load(path);
  CHECK(tokens(l.users) == std::vector<std::string>{"A3F9XK", "user-2"});
  // "0042" and "42" are different ids: tokens are not parsed as numbers.
  CHECK(tokens(l.items) == std::vector<std::string>{"B000123", "0042", "42"});
  CHECK(l.rows.stars == std::vector<float>{5, 1, 3});
}

TEST_CASE("extra columns are ignored and columns may come in any order", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv",
                              "timestamp,rating,comment,movieId,userId,extra\n"
                              "111,4.5,\"great, really\",m1,u1,x\n"
                              "222,2,meh,m2,u2,y\n");
  const Loaded l = load(path);
  CHECK(tokens(l.users) == std::vector<std::string>{"u1", "u2"});
  CHECK(tokens(l.items) == std::vector<std::string>{"m1", "m2"});
  CHECK(l.rows.stars == std::vector<float>{4.5f, 2.0f});
}

TEST_CASE("custom column names", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv",
                              "reviewerID,asin,overall\n"
                              "R1,B000123,5.0\n"
                              "R2,B000456,1.0\n");
  LoadOptions o;
  o.columns = {"reviewerID", "asin", "overall"};
  const Loaded l = load(path, o);
  CHECK(tokens(l.users) == std::vector<std::string>{"R1", "R2"});
  CHECK(tokens(l.items) == std::vector<std::string>{"B000123", "B000456"});
  CHECK(l.rows.stars == std::vector<float>{5.0f, 1.0f});
}

TEST_CASE("CRLF line ends and a UTF-8 BOM are accepted", "[ratings]") {
  TempDir dir;
  SECTION("rating last") {
    const auto path = dir.write("r.csv",
                                "\xEF\xBB\xBFuserId,movieId,rating\r\n"
                                "1,10,4\r\n"
                                "2,20,3.5\r\n");
    const Loaded l = load(path);
    CHECK(tokens(l.users) == std::vector<std::string>{"1", "2"});
    CHECK(tokens(l.items) == std::vector<std::string>{"10", "20"});
    CHECK(l.rows.stars == std::vector<float>{4.0f, 3.5f});
  }
  SECTION("an id last: no carriage return left in the token") {
    const auto path = dir.write("r.csv",
                                "\xEF\xBB\xBFrating,userId,movieId\r\n"
                                "4,1,10\r\n"
                                "3.5,2,20\r\n");
    const Loaded l = load(path);
    CHECK(tokens(l.users) == std::vector<std::string>{"1", "2"});
    CHECK(tokens(l.items) == std::vector<std::string>{"10", "20"});
    CHECK(l.rows.stars == std::vector<float>{4.0f, 3.5f});
  }
}

TEST_CASE("blank lines are skipped and later line numbers still count them", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv",
                              "userId,movieId,rating\n"
                              "\n"
                              "1,10,4\n"
                              "\n"
                              "\n"
                              "2,20,3\n"
                              "\n");
  const Loaded l = load(path);
  CHECK(l.rows.size() == 2u);
  CHECK(l.rows.stars == std::vector<float>{4.0f, 3.0f});

  // The bad row is on line 5 of the file, after two blank lines.
  const auto bad = dir.write("bad.csv",
                             "userId,movieId,rating\n"
                             "1,10,4\n"
                             "\n"
                             "\n"
                             "2,20,oops\n");
  const auto e = error_from([&] { load(bad); });
  REQUIRE(e);
  CHECK(e->file() == bad);
  CHECK(e->line() == 5u);
}

TEST_CASE("the last line needs no line end", "[ratings]") {
  TempDir dir;
  const Loaded l = load(dir.write("r.csv", "userId,movieId,rating\n1,10,4\n2,20,3.5"));
  CHECK(l.rows.stars == std::vector<float>{4.0f, 3.5f});
  CHECK(tokens(l.items) == std::vector<std::string>{"10", "20"});
}

TEST_CASE("surrounding spaces and a leading + are tolerated in numbers", "[ratings]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating\n 1 , 10 , 4.5 \n2,20,+3\n");
  const Loaded l = load(path);
  CHECK(tokens(l.users) == std::vector<std::string>{"1", "2"});
  CHECK(tokens(l.items) == std::vector<std::string>{"10", "20"});
  CHECK(l.rows.stars == std::vector<float>{4.5f, 3.0f});
}

TEST_CASE("movies.csv: quoted titles with commas and doubled quotes", "[ratings][movies]") {
  TempDir dir;
  const auto path = dir.write("movies.csv",
                              "movieId,title,genres\n"
                              "1,Toy Story (1995),Adventure|Animation\n"
                              "2,\"Shawshank Redemption, The (1994)\",Crime|Drama\n"
                              "3,\"Movie \"\"Quoted\"\" Title (2000)\",Comedy\n"
                              "B000123,\"Commas, \"\"quotes\"\", and more\",\n"
                              "5,Amélie (2001),Comedy|Romance\r\n");
  const auto movies = recsys::load_movies(path);
  REQUIRE(movies.size() == 5u);
  CHECK(movies.at("1").title == "Toy Story (1995)");
  CHECK(movies.at("1").genres == "Adventure|Animation");
  CHECK(movies.at("2").title == "Shawshank Redemption, The (1994)");
  CHECK(movies.at("2").genres == "Crime|Drama");
  CHECK(movies.at("3").title == "Movie \"Quoted\" Title (2000)");
  CHECK(movies.at("B000123").title == "Commas, \"quotes\", and more");
  CHECK(movies.at("B000123").genres == "");
  CHECK(movies.at("5").title == "Amélie (2001)");
  CHECK(movies.at("5").genres == "Comedy|Romance");
}

TEST_CASE("movies.csv without a genres column, and with another id column", "[ratings][movies]") {
  TempDir dir;
  const auto path = dir.write("movies.csv", "title,asin\n\"A, B\",B01\nC,B02\n");
  const auto movies = recsys::load_movies(path, "asin");
  REQUIRE(movies.size() == 2u);
  CHECK(movies.at("B01").title == "A, B");
  CHECK(movies.at("B01").genres == "");
  CHECK(movies.at("B02").title == "C");
}

TEST_CASE("load_dataset: titles from movies.csv beside the ratings", "[ratings][dataset]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv",
                                 "userId,movieId,rating\n"
                                 "1,2,4\n"
                                 "1,1,2\n"
                                 "2,9,5\n"
                                 "2,2,1\n");
  dir.write("movies.csv",
            "movieId,title,genres\n"
            "1,\"One, The (1990)\",Drama\n"
            "2,Two (1991),Comedy\n");
  const recsys::Dataset d = recsys::load_dataset(dataset_options(ratings), kNoHoldOut);
  CHECK(d.movies_path == dir.file("movies.csv"));
  CHECK(tokens(d.items) == std::vector<std::string>{"2", "1", "9"});
  CHECK(d.titles == std::vector<std::string>{"Two (1991)", "One, The (1990)", ""});
  CHECK(d.genres == std::vector<std::string>{"Comedy", "Drama", ""});
  CHECK(d.untitled_items == 1u);
  CHECK(d.train.size() == 4u);
  CHECK(d.val.size() == 0u);
  CHECK(d.scaler.min == 1.0);
  CHECK(d.scaler.max == 5.0);
}

TEST_CASE("load_dataset with a validation file interns ids over both files", "[ratings][dataset]") {
  TempDir dir;
  const auto train = dir.write("train.csv", "userId,movieId,rating\n1,10,2\n2,20,3\n");
  const auto val = dir.write("val.csv", "userId,movieId,rating\n3,10,5\n1,30,1\n");
  auto o = dataset_options(train);
  o.val_path = val;
  const recsys::Dataset d = recsys::load_dataset(o, kNoHoldOut);
  CHECK(tokens(d.users) == std::vector<std::string>{"1", "2", "3"});
  CHECK(tokens(d.items) == std::vector<std::string>{"10", "20", "30"});
  CHECK(d.train.size() == 2u);
  CHECK(d.val.user == std::vector<std::uint32_t>{2, 0});
  CHECK(d.val.item == std::vector<std::uint32_t>{0, 2});
  // The scaler spans both files: min 1 (val), max 5 (val).
  CHECK(d.scaler.min == 1.0);
  CHECK(d.scaler.max == 5.0);
  // Val row (3,10): user 3 has no training row; (1,30): item 30 has none -> both cold.
  CHECK(d.cold_val_rows == 2u);
  CHECK(d.untitled_items == 3u);
  CHECK(d.movies_path.empty());
}

// ---------------------------------------------------------------------------
// Scaler, split, statistics

TEST_CASE("scaler maps min..max to 0..1 and back", "[scaler]") {
  const recsys::Scaler s{0.5, 5.0};
  CHECK(s.span() == 4.5);
  CHECK(s.to_unit(0.5) == 0.0f);
  CHECK(s.to_unit(5.0) == 1.0f);
  CHECK(s.to_unit(2.75) == 0.5f);        // (2.75 - 0.5) / 4.5 = 0.5
  CHECK(s.to_unit(1.4) == Approx(0.2));  // 0.9 / 4.5
  CHECK(s.to_stars(0.5) == 2.75);
  CHECK(s.to_stars(0.0) == 0.5);
  CHECK(s.to_stars(1.0) == 5.0);
  for (double stars = 0.5; stars <= 5.0; stars += 0.5)
    CHECK(s.to_stars(s.to_unit(stars)) == Approx(stars).margin(1e-6));
}

TEST_CASE("Scaler::fit takes the min and max over both row sets", "[scaler]") {
  Ratings a, b;
  a.push(0, 0, 3.0f);
  a.push(0, 1, 2.0f);
  b.push(1, 0, 4.5f);
  b.push(1, 1, 2.5f);
  const auto s = recsys::Scaler::fit(a, b, "x.csv");
  CHECK(s.min == 2.0);
  CHECK(s.max == 4.5);
  const auto only_b = recsys::Scaler::fit(Ratings{}, b, "x.csv");
  CHECK(only_b.min == 2.5);
  CHECK(only_b.max == 4.5);
  const auto r = recsys::Scaler::from_range({1, 10});
  CHECK(r.min == 1.0);
  CHECK(r.max == 10.0);
}

TEST_CASE("parse_rating_range", "[scaler]") {
  const auto r = recsys::parse_rating_range("0.5,5");
  CHECK(r.min == 0.5);
  CHECK(r.max == 5.0);
  for (const char* bad : {"5,1", "3,3", "1", "a,b", "", "1,", ",5", "1,inf", "nan,5"}) {
    INFO("'" << bad << "'");
    const auto e = error_from([&] { recsys::parse_rating_range(bad); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("--rating-range"));
  }
}

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

TEST_CASE("ItemStats counts and means by hand", "[stats]") {
  Ratings a, b;
  a.push(0, 0, 4.0f);
  a.push(1, 0, 2.0f);
  a.push(0, 2, 5.0f);
  b.push(2, 0, 3.0f);
  b.push(2, 1, 1.5f);
  // item 0: 4, 2, 3 -> count 3, mean 3; item 1: 1.5 -> 1, 1.5; item 2: 5 -> 1, 5; item 3: none.
  const auto s = recsys::ItemStats::compute(4, a, b);
  CHECK(s.count == std::vector<std::uint32_t>{3, 1, 1, 0});
  CHECK(s.mean == std::vector<double>{3.0, 1.5, 5.0, 0.0});
}

// ---------------------------------------------------------------------------
// Errors: each names the file and line and says what is wrong.

TEST_CASE("error: missing file", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.file("nope.csv");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 0u);
  CHECK_THAT(e->message(), Contains("No such file"));
  CHECK(e->exit_code() == 2);
  CHECK(std::string(e->what()) == path + ": " + e->message());
}

TEST_CASE("error: a directory instead of a file", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.path().string();
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 0u);
  CHECK_THAT(e->message(), Contains("directory"));
}

TEST_CASE("error: missing column", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,itemId,rating\n1,2,3\n");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 1u);
  CHECK_THAT(e->message(), Contains("movieId"));
  CHECK_THAT(e->message(), Contains("--item-col"));

  LoadOptions o;
  o.columns.rating = "stars";
  const auto e2 =
      error_from([&] { load(dir.write("r2.csv", "userId,movieId,rating\n1,2,3\n"), o); });
  REQUIRE(e2);
  CHECK(e2->line() == 1u);
  CHECK_THAT(e2->message(), Contains("stars"));
}

TEST_CASE("error: non-numeric rating", "[ratings][errors]") {
  TempDir dir;
  const auto path =
      dir.write("r.csv", "userId,movieId,rating\n1,10,4\n2,20,4.5\n3,30,four\n4,40,1\n");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 4u);
  CHECK_THAT(e->message(), Contains("four"));
  CHECK_THAT(e->message(), Contains("rating"));
  CHECK(std::string(e->what()) == path + ":4: " + e->message());

  // Trailing garbage after a number is not a number either.
  const auto e2 =
      error_from([&] { load(dir.write("r2.csv", "userId,movieId,rating\n1,10,4stars\n")); });
  REQUIRE(e2);
  CHECK(e2->line() == 2u);
  CHECK_THAT(e2->message(), Contains("4stars"));
}

TEST_CASE("error: NaN and infinite ratings", "[ratings][errors]") {
  TempDir dir;
  for (const std::string bad : {"nan", "NaN", "inf", "-inf", "infinity"}) {
    INFO("rating " << bad);
    const auto path = dir.write("r.csv", "userId,movieId,rating\n1,10,4\n2,20," + bad + "\n");
    const auto e = error_from([&] { load(path); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK(e->line() == 3u);
    CHECK_THAT(e->message(), Contains(bad));
  }
}

TEST_CASE("error: empty file", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.write("empty.csv", "");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 0u);
  CHECK_THAT(e->message(), Contains("empty"));
  CHECK_THAT(e->message(), Contains("header"));

  // And through load_dataset.
  const auto e2 = error_from([&] { recsys::load_dataset(dataset_options(path), kNoHoldOut); });
  REQUIRE(e2);
  CHECK(e2->file() == path);
}

TEST_CASE("error: header only (load_dataset)", "[ratings][errors][dataset]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating,timestamp\n");
  // The loader itself accepts it (zero rows)...
  const Loaded l = load(path);
  CHECK(l.rows.size() == 0u);
  // ...but there is nothing to train on.
  for (double fraction : {0.0, 0.1}) {
    const auto o = dataset_options(path);
    const auto e = error_from([&] { recsys::load_dataset(o, {fraction, 42}); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK(e->line() == 0u);
    CHECK_THAT(e->message(), Contains("no") && Contains("header"));
  }
}

TEST_CASE("error: a single distinct rating cannot be min-max scaled", "[ratings][errors][scaler]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating\n1,10,4\n2,20,4.0\n3,10,4\n");
  SECTION("Scaler::fit") {
    const Loaded l = load(path);
    const auto e = error_from([&] { recsys::Scaler::fit(l.rows, Ratings{}, path); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK(e->line() == 0u);
    CHECK_THAT(e->message(), Contains("--rating-range"));
    CHECK_THAT(e->message(), Contains("4"));
  }
  SECTION("load_dataset") {
    const auto e = error_from([&] { recsys::load_dataset(dataset_options(path), kNoHoldOut); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK_THAT(e->message(), Contains("--rating-range"));
  }
  SECTION("load_dataset with --rating-range scales by the range instead") {
    auto o = dataset_options(path);
    o.load.range = recsys::RatingRange{1, 5};
    const recsys::Dataset d = recsys::load_dataset(o, kNoHoldOut);
    CHECK(d.scaler.min == 1.0);
    CHECK(d.scaler.max == 5.0);
    CHECK(d.train.size() == 3u);
  }
}

TEST_CASE("error: ragged line with too few columns", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating\n1,10,4\n2,20\n3,30,5\n");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 3u);
  CHECK_THAT(e->message(), Contains("column"));
}

TEST_CASE("error: empty id", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating\n1,10,4\n,20,3\n");
  const auto e = error_from([&] { load(path); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 3u);
  CHECK_THAT(e->message(), Contains("userId"));
}

TEST_CASE("error: rating outside --rating-range", "[ratings][errors]") {
  TempDir dir;
  const auto path = dir.write("r.csv", "userId,movieId,rating\n1,10,1\n2,20,5\n3,30,5.5\n");
  LoadOptions o;
  o.range = recsys::RatingRange{1, 5};
  const auto e = error_from([&] { load(path, o); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 4u);
  CHECK_THAT(e->message(), Contains("5.5"));
  CHECK_THAT(e->message(), Contains("--rating-range"));
  // The bounds themselves are inside.
  const auto ok = dir.write("ok.csv", "userId,movieId,rating\n1,10,1\n2,20,5\n");
  CHECK(load(ok, o).rows.size() == 2u);
  // Below the minimum too.
  const auto low = dir.write("low.csv", "userId,movieId,rating\n1,10,0.5\n");
  const auto e2 = error_from([&] { load(low, o); });
  REQUIRE(e2);
  CHECK(e2->line() == 2u);
}
