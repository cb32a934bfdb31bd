// The CSV loaders (ratings, movies, the whole dataset), the scaler, the item
// statistics and duplicate rows; and every error the loader reports, with its
// file, line and message, both from the library and through `recsys train`
// (exit code 2, one line on stderr, no model file).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/data/item_stats.hpp"
#include "recsys/data/movies.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/util/error.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;
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

// Small bad and good files for the loader and for `recsys train`.
const std::string kHeader = "userId,movieId,rating,timestamp\n";
const std::string kGoodRows = "1,10,4,1\n2,20,3.5,2\n3,10,1,3\n";
const std::string kTrain = " --dim 2 --epochs 1 --batch 4 --threads 1 --quiet";

struct BadFile {
  const char* what;
  std::string contents;
  std::size_t line;  // 0: the error names no line
  std::vector<std::string> says;
  std::string extra_args = "";
};

std::string long_line(std::size_t bytes) {
  std::string s(bytes, '7');
  return s;
}

std::string garbage(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  s[0] = '\x01';  // binary from the first line on
  return s;
}

std::vector<BadFile> bad_files() {
  return {
      {"an empty file", "", 0, {"empty file", "header line"}},
      {"a header only", kHeader, 0, {"no training rows", "add rows below the header"}},
      {"a header only with CRLF and a BOM",
       "\xEF\xBB\xBFuserId,movieId,rating\r\n\r\n",
       0,
       {"no training rows"}},
      {"a missing rating column",
       "userId,movieId,stars\n1,10,4\n",
       1,
       {"missing column 'rating'", "'userId,movieId,stars'", "--rating-col"}},
      {"a missing movie column",
       "userId,itemId,rating\n1,2,3\n",
       1,
       {"missing column 'movieId'", "--item-col"}},
      {"a missing user column",
       "user,movieId,rating\n1,10,4\n",
       1,
       {"missing column 'userId'", "--user-col"}},
      {"a column twice",
       "userId,movieId,rating,rating\n1,10,4,4\n",
       1,
       {"'rating' appears twice", "rename"}},
      {"a ragged row with too few fields",
       kHeader + "1,10,4,1\n2,20\n",
       3,
       {"too few fields", "fix or remove"}},
      {"a ragged row with too many fields",
       kHeader + "1,10,4,1\n2,20,3,2,9\n",
       3,
       {"more fields", "quote fields that contain commas"}},
      {"a trailing comma on the rows only",
       "userId,movieId,rating\n1,10,4,\n2,20,3,\n",
       2,
       {"trailing comma"}},
      {"a quoted field spanning lines",
       "userId,movieId,rating,comment\n1,10,4,\"good\nfilm\"\n",
       2,
       {"quoted field is not closed", "cannot span lines"}},
      {"a non-numeric rating",
       kHeader + "1,10,4,1\n2,20,four,2\n",
       3,
       {"rating 'four' is not a number", "fix or remove the row"}},
      {"a number with trailing text", kHeader + "1,10,4stars,1\n", 2, {"'4stars' is not a number"}},
      {"an empty rating", kHeader + "1,10,,1\n", 2, {"'' is not a number"}},
      {"a NaN rating", kHeader + "1,10,4,1\n2,20,NaN,2\n", 3, {"'NaN' is not finite"}},
      {"a lower-case nan rating", kHeader + "1,10,nan,1\n", 2, {"'nan' is not finite"}},
      {"an infinite rating", kHeader + "1,10,inf,1\n", 2, {"'inf' is not finite"}},
      {"an infinity rating", kHeader + "1,10,infinity,1\n", 2, {"'infinity' is not finite"}},
      {"a negative infinite rating, short", kHeader + "1,10,-inf,1\n", 2, {"'-inf' is not finite"}},
      {"a negative infinite rating",
       kHeader + "1,10,-infinity,1\n",
       2,
       {"'-infinity' is not finite"}},
      {"a rating beyond float", kHeader + "1,10,1e39,1\n2,20,3,2\n", 2, {"'1e39' is too large"}},
      {"a negative rating with --rating-range",
       kHeader + "1,10,4,1\n2,20,-1,2\n",
       3,
       {"'-1' is outside --rating-range 0.5,5", "widen the range"},
       " --rating-range 0.5,5"},
      {"a rating above --rating-range",
       kHeader + "1,10,5.5,1\n",
       2,
       {"'5.5' is outside --rating-range 0.5,5"},
       " --rating-range 0.5,5"},
      {"an empty user id",
       kHeader + "1,10,4,1\n,20,3,2\n",
       3,
       {"empty userId", "fix or remove the row"}},
      {"an empty movie id", kHeader + "1,\"\",4,1\n", 2, {"empty movieId"}},
      {"a line longer than 16 MiB",
       kHeader + "1,10,4,1\n2,20,3," + long_line(17u << 20) + "\n",
       3,
       {"longer than 16 MiB"}},
      {"binary garbage", garbage(5000, 1), 0, {"binary data, not CSV text"}},
      {"binary garbage without control bytes on line 1",
       "\x80\xff\xfe\x90,\xc3\x28\n" + garbage(3000, 2),
       0,
       {"binary data"}},
      {"a zip archive",
       std::string("PK\x03\x04", 4) + garbage(200, 3),
       0,
       {"zip archive", "unzip"}},
      {"a gzip file", "\x1f\x8b\x08" + garbage(200, 4), 0, {"corrupt gzip data", "damaged"}},
      {"UTF-16 text", std::string("\xff\xfeu\0s\0e\0r\0", 10), 0, {"UTF-16", "UTF-8"}},
      {"a model file given as ratings", "RECSYSMF\x01\0\0\0", 0, {"recsys model file"}},
  };
}

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

TEST_CASE("odd but valid files train", "[ratings][hardening]") {
  TempDir dir;
  // BOM, CRLF, blank lines, columns in another order with extra ones, a
  // trailing comma on every line (header included: an unnamed last column),
  // quoted fields with commas, spaces around fields, no final line end.
  const std::string path = dir.write("ratings.csv",
                                     "\xEF\xBB\xBFtimestamp,comment,rating,movieId,userId,\r\n"
                                     "\r\n"
                                     "1,\"good, really\",4,10,1,\r\n"
                                     "2,plain, 3.5 ,20,1,\r\n"
                                     "\r\n"
                                     "3,\"\"\"quoted\"\"\",1,10,2,\r\n"
                                     "4,x,2,30,2,");
  const std::string model = dir.file("m.model");
  const Result ok =
      run_recsys("train " + q(path) + " --model " + q(model) + " --val-fraction 0" + kTrain);
  INFO(ok.err);
  REQUIRE(ok.code == 0);
  const recsys::TrainedModel m = recsys::load_model(model);
  CHECK(m.users.tokens() == std::vector<std::string>{"1", "2"});
  CHECK(m.items.tokens() == std::vector<std::string>{"10", "20", "30"});
  CHECK(m.train_rated.items.size() == 4u);
  CHECK(m.scaler.min == 1.0);
  CHECK(m.scaler.max == 4.0);
}

TEST_CASE("ids that overflow 64 bits are distinct tokens", "[ratings][hardening]") {
  TempDir dir;
  const std::vector<std::string> ids = {"18446744073709551615",  // 2^64 - 1
                                        "18446744073709551616",  // 2^64
                                        "36893488147419103232",  // 2^65
                                        "999999999999999999999999999999999999",
                                        "0018446744073709551616",
                                        "-1",
                                        "1e3",
                                        "1000"};
  std::string csv = "userId,movieId,rating\n";
  for (std::size_t k = 0; k < ids.size(); ++k)
    csv += ids[k] + "," + ids[ids.size() - 1 - k] + "," + std::to_string(1 + k % 5) + "\n";
  const std::string path = dir.write("r.csv", csv);
  recsys::IdMap users, items;
  recsys::Ratings rows;
  recsys::load_ratings(path, {}, users, items, rows);
  CHECK(users.tokens() == ids);
  CHECK(items.size() == ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k)
    CHECK(users.find(ids[k]) == std::optional<std::uint32_t>(k));

  const std::string model = dir.file("m.model");
  const Result r =
      run_recsys("train " + q(path) + " --model " + q(model) + " --val-fraction 0" + kTrain);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const Result top =
      run_recsys("topn --user 18446744073709551616 --format csv --model " + q(model));
  CHECK(top.code == 0);
  CHECK(hardening::count_lines(top.out) == ids.size());  // header + every movie but the one rated
}

TEST_CASE("a very long id is a token like any other", "[ratings][hardening]") {
  TempDir dir;
  const std::string id(1 << 20, 'u');
  const std::string path = dir.write("r.csv", "userId,movieId,rating\n" + id + ",1,4\nv,1,2\n");
  recsys::IdMap users, items;
  recsys::Ratings rows;
  recsys::load_ratings(path, {}, users, items, rows);
  CHECK(users.size() == 2u);
  CHECK(users.token(0) == id);
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

TEST_CASE("the bounds of --rating-range are inside it", "[ratings][scaler]") {
  TempDir dir;
  LoadOptions o;
  o.range = recsys::RatingRange{1, 5};
  const auto ok = dir.write("ok.csv", "userId,movieId,rating\n1,10,1\n2,20,5\n");
  CHECK(load(ok, o).rows.size() == 2u);
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
// Duplicate (user, movie) rows: the last line of a pair wins.

TEST_CASE("keep_last_of_duplicates keeps the last row of each pair in file order",
          "[duplicates][hardening]") {
  recsys::Ratings rows;
  rows.push(0, 0, 1);
  rows.push(1, 0, 2);
  rows.push(0, 1, 3);
  rows.push(0, 0, 4);  // replaces row 0
  rows.push(1, 0, 5);  // replaces row 1
  rows.push(2, 2, 6);
  rows.push(0, 0, 7);  // replaces row 3
  CHECK(recsys::keep_last_of_duplicates(rows, 3, 3) == 3u);
  CHECK(rows.user == std::vector<std::uint32_t>{0, 1, 2, 0});
  CHECK(rows.item == std::vector<std::uint32_t>{1, 0, 2, 0});
  CHECK(rows.stars == std::vector<float>{3, 5, 6, 7});

  recsys::Ratings none;
  none.push(0, 0, 1);
  none.push(0, 1, 2);
  none.push(1, 0, 3);
  CHECK(recsys::keep_last_of_duplicates(none, 2, 2) == 0u);
  CHECK(none.stars == std::vector<float>{1, 2, 3});
  recsys::Ratings empty;
  CHECK(recsys::keep_last_of_duplicates(empty, 0, 0) == 0u);
}

namespace {
// Rows whose stars are their line numbers: keep_last_of_duplicates must keep
// exactly the lines that a map of each pair's last line names.
void check_against_a_map(recsys::Ratings rows, std::uint32_t nu, std::uint32_t ni) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> last;
  for (std::size_t k = 0; k < rows.size(); ++k) last[{rows.user[k], rows.item[k]}] = k;
  std::vector<float> expected;
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (last[{rows.user[k], rows.item[k]}] == k) expected.push_back(static_cast<float>(k));
  const std::size_t n = rows.size();
  // Every thread count finds the same rows: users are cut into runs per thread.
  for (const int threads : {2, 3, 7})
    CHECK(recsys::earlier_duplicates(rows, nu, ni, threads) ==
          recsys::earlier_duplicates(rows, nu, ni, 1));
  CHECK(recsys::keep_last_of_duplicates(rows, nu, ni) == n - expected.size());
  CHECK(rows.stars == expected);
}
}  // namespace

TEST_CASE("keep_last_of_duplicates agrees with a map on random rows", "[duplicates][hardening]") {
  std::mt19937 rng(5);
  for (int round = 0; round < 20; ++round) {
    recsys::Ratings rows;
    const std::uint32_t nu = 1 + rng() % 20, ni = 1 + rng() % 20;
    const int n = static_cast<int>(rng() % 300);
    for (int k = 0; k < n; ++k) {
      const std::uint32_t u = rng() % nu, i = rng() % ni;  // in this order
      rows.push(u, i, static_cast<float>(k));
    }
    check_against_a_map(rows, nu, ni);
  }
}

TEST_CASE("keep_last_of_duplicates agrees with a map on rows grouped by user",
          "[duplicates][hardening]") {
  // Users in runs 0, 1, 2, ... as in a file sorted by user: the path that
  // walks the runs in place instead of building the by-user permutation.
  std::mt19937 rng(6);
  for (int round = 0; round < 20; ++round) {
    recsys::Ratings rows;
    const std::uint32_t nu = 1 + rng() % 20, ni = 1 + rng() % 20;
    for (std::uint32_t u = 0; u < nu; ++u)
      for (int m = 1 + static_cast<int>(rng() % 15); m > 0; --m)
        rows.push(u, rng() % ni, static_cast<float>(rows.size()));
    check_against_a_map(rows, nu, ni);
  }
}

TEST_CASE("duplicate rows are dropped before the split and reported", "[duplicates][hardening]") {
  TempDir dir;
  const std::string path = dir.write("ratings.csv",
                                     "userId,movieId,rating\n"
                                     "1,10,1\n"
                                     "2,10,2\n"
                                     "1,10,5\n"  // replaces line 2
                                     "1,20,3\n"
                                     "2,10,4\n"  // replaces line 3
                                     "3,30,2\n");
  recsys::DatasetOptions o;
  o.ratings_path = path;
  const recsys::Dataset d = recsys::load_dataset(o, {0.5, 42});
  CHECK(d.duplicate_rows == 2u);
  CHECK(d.train.size() + d.val.size() == 4u);
  std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::map<std::pair<std::uint32_t, std::uint32_t>, float> stars;
  for (const recsys::Ratings* part : {&d.train, &d.val})
    for (std::size_t k = 0; k < part->size(); ++k) {
      CHECK(pairs.insert({part->user[k], part->item[k]}).second);  // never in both parts
      stars[{part->user[k], part->item[k]}] = part->stars[k];
    }
  CHECK(stars.at({0, 0}) == 5.0f);  // user 1, movie 10: the last line's rating
  CHECK(stars.at({1, 0}) == 4.0f);

  // Through the binary: one warning line with the count, then training goes on.
  const std::string model = dir.file("m.model");
  const Result r =
      run_recsys("train " + q(path) + " --model " + q(model) + " --val-fraction 0" + kTrain);
  CHECK(r.code == 0);
  CHECK(hardening::count_lines(r.err) == 2u);  // the duplicates and the missing movies.csv
  CHECK_THAT(
      r.err,
      Contains(path + ": 2 duplicate (userId, movieId) rows; kept the last rating of each pair"));
  CHECK(recsys::load_model(model).train_rated.items.size() == 4u);
}

TEST_CASE("duplicates in a --val file are counted separately", "[duplicates][hardening]") {
  TempDir dir;
  const std::string train = dir.write("train.csv", "userId,movieId,rating\n1,10,1\n2,20,5\n");
  const std::string val = dir.write("val.csv", "userId,movieId,rating\n1,20,1\n1,20,2\n1,20,3\n");
  recsys::DatasetOptions o;
  o.ratings_path = train;
  o.val_path = val;
  const recsys::Dataset d = recsys::load_dataset(o, kNoHoldOut);
  CHECK(d.duplicate_rows == 2u);
  CHECK(d.val.stars == std::vector<float>{3});
  CHECK(d.train.size() == 2u);
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

TEST_CASE("error: a missing column is named as the options name it", "[ratings][errors]") {
  TempDir dir;
  LoadOptions o;
  o.columns.rating = "stars";
  const auto path = dir.write("r.csv", "userId,movieId,rating\n1,2,3\n");
  const auto e = error_from([&] { load(path, o); });
  REQUIRE(e);
  CHECK(e->file() == path);
  CHECK(e->line() == 1u);
  CHECK_THAT(e->message(), Contains("missing column 'stars'"));
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

TEST_CASE("error: every bad ratings file makes train exit 2 with one line naming file and line",
          "[ratings][errors][hardening]") {
  for (const BadFile& bad : bad_files()) {
    TempDir dir;
    const std::string path = dir.write("ratings.csv", bad.contents);
    dir.write("movies.csv", "movieId,title\n10,Ten\n");
    const std::string model = dir.file("out.model");
    INFO(bad.what);
    const Result r =
        run_recsys("train " + q(path) + " --model " + q(model) + kTrain + bad.extra_args);
    const std::string where = bad.line ? path + ":" + std::to_string(bad.line) + ": " : path + ": ";
    check_failure(r, 2, where, bad.says);
    CHECK(dir.entries() == std::vector<std::string>{"movies.csv", "ratings.csv"});
  }
}

TEST_CASE("error: the same bad files in the loader carry file, line and kind",
          "[ratings][errors][hardening]") {
  for (const BadFile& bad : bad_files()) {
    if (bad.what == std::string("a header only") ||
        bad.what == std::string("a header only with CRLF and a BOM"))
      continue;  // the loader accepts zero rows; load_dataset refuses them (above)
    TempDir dir;
    const std::string path = dir.write("r.csv", bad.contents);
    recsys::LoadOptions options;
    if (!bad.extra_args.empty()) options.range = recsys::RatingRange{0.5, 5};
    recsys::IdMap users, items;
    recsys::Ratings rows;
    INFO(bad.what);
    const auto e = error_from([&] { recsys::load_ratings(path, options, users, items, rows); });
    REQUIRE(e);
    CHECK(e->file() == path);
    CHECK(e->line() == bad.line);
    CHECK(e->exit_code() == 2);
    for (const auto& s : bad.says) CHECK_THAT(e->message(), Contains(s));
    // what() is the line the CLI prints after "recsys: ".
    const std::string where = bad.line ? path + ":" + std::to_string(bad.line) + ": " : path + ": ";
    CHECK(std::string(e->what()) == where + e->message());
  }
}

TEST_CASE("error: unreadable ratings, and bad --val, --movies and --rating-range, through train",
          "[ratings][errors][hardening]") {
  TempDir dir;
  const std::string model = dir.file("out.model");
  SECTION("a directory") {
    const Result r =
        run_recsys("train " + q(dir.path().string()) + " --model " + q(model) + kTrain);
    check_failure(r, 2, dir.path().string() + ": ", {"is a directory", "expected a CSV file"});
  }
  SECTION("a missing file") {
    const std::string path = dir.file("nope.csv");
    check_failure(run_recsys("train " + q(path) + " --model " + q(model) + kTrain), 2, path + ": ",
                  {"No such file or directory", "check the path"});
  }
  SECTION("a path through a regular file") {
    const std::string file = dir.write("plain", "x");
    const std::string path = file + "/ratings.csv";
    check_failure(run_recsys("train " + q(path) + " --model " + q(model) + kTrain), 2, path + ": ",
                  {"Not a directory"});
  }
  SECTION("a file without read permission") {
    // Root reads anything, so as root the binary runs as nobody (setpriv is
    // in util-linux, on every Debian); the model goes to a directory nobody
    // may write.
    const std::string path = dir.write("ratings.csv", kHeader + kGoodRows);
    ::chmod(path.c_str(), 0);
    const std::string out_dir = dir.file("out");
    std::filesystem::create_directory(out_dir);
    ::chmod(out_dir.c_str(), 0777);
    ::chmod(dir.path().c_str(), 0755);
    std::string prefix;
    if (::geteuid() == 0) {
      // The build tree may sit under a private home: run a copy from here.
      const std::string copy = dir.file("recsys");
      std::filesystem::copy_file(hardening::binary(), copy);
      ::chmod(copy.c_str(), 0755);
      prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups " + q(copy);
    } else {
      prefix = "RECSYS";
    }
    const Result r = hardening::shell(prefix + " train " + q(path) + " --model " +
                                      q(out_dir + "/m.model") + kTrain);
    check_failure(r, 2, path + ": ", {"Permission denied", "permissions"});
    CHECK(std::filesystem::is_empty(out_dir));
  }
  SECTION("a --val file with a bad row names that file") {
    const std::string train = dir.write("ratings.csv", kHeader + kGoodRows);
    const std::string val = dir.write("val.csv", kHeader + "1,20,x,1\n");
    check_failure(
        run_recsys("train " + q(train) + " --val " + q(val) + " --model " + q(model) + kTrain), 2,
        val + ":2: ", {"'x' is not a number"});
  }
  SECTION("a --movies file with an unclosed quote names that file and line") {
    const std::string train = dir.write("ratings.csv", kHeader + kGoodRows);
    const std::string movies = dir.write("titles.csv", "movieId,title\n10,Ten\n20,\"Twenty\n");
    check_failure(run_recsys("train " + q(train) + " --movies " + q(movies) + " --model " +
                             q(model) + kTrain),
                  2, movies + ":3: ", {"quoted field is not closed"});
  }
  SECTION("a --movies file without the columns") {
    const std::string train = dir.write("ratings.csv", kHeader + kGoodRows);
    const std::string movies = dir.write("titles.csv", "id,name\n10,Ten\n");
    check_failure(run_recsys("train " + q(train) + " --movies " + q(movies) + " --model " +
                             q(model) + kTrain),
                  2, movies + ":1: ", {"expected columns movieId,title"});
  }
  SECTION("a bad --rating-range") {
    const std::string train = dir.write("ratings.csv", kHeader + kGoodRows);
    for (const std::string range : {"5,1", "1", "a,b", "nan,5", "0,inf", "-1e300,1e300"}) {
      INFO(range);
      check_failure(run_recsys("train " + q(train) + " --rating-range " + q(range) + " --model " +
                               q(model) + kTrain),
                    2, "--rating-range '" + range + "'", {"expected MIN,MAX with MIN < MAX"});
    }
  }
  CHECK(!std::filesystem::exists(model));
}
