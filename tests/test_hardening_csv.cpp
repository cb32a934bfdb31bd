// Every kind of bad ratings CSV through `recsys train`: exit code 2, one line
// on stderr naming the file (and line) and saying what to do, no model file.
// And the odd-but-valid files that must load: the loader's unit tests in
// test_ratings.cpp cover the basics; these go through the binary.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/io/model_file.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;
using test_support::error_from;
using test_support::TempDir;

namespace {

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
      {"an infinite rating", kHeader + "1,10,inf,1\n", 2, {"'inf' is not finite"}},
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
      {"a gzip file", "\x1f\x8b\x08" + garbage(200, 4), 0, {"gzip", "gunzip"}},
      {"UTF-16 text", std::string("\xff\xfeu\0s\0e\0r\0", 10), 0, {"UTF-16", "UTF-8"}},
      {"a model file given as ratings", "RECSYSMF\x01\0\0\0", 0, {"recsys model file"}},
  };
}

}  // namespace

TEST_CASE("hardening: every bad ratings file exits 2 with one line naming file and line",
          "[hardening][csv]") {
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

TEST_CASE("hardening: the same errors from the library carry file, line and kind",
          "[hardening][csv]") {
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
  }
}

TEST_CASE("hardening: files that cannot be read", "[hardening][csv]") {
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

TEST_CASE("hardening: odd but valid files train", "[hardening][csv]") {
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

TEST_CASE("hardening: ids that overflow 64 bits are distinct tokens", "[hardening][csv]") {
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

TEST_CASE("hardening: a very long id is a token like any other", "[hardening][csv]") {
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
// Duplicate (user, movie) rows: the last line of a pair wins.

TEST_CASE("hardening: keep_last_of_duplicates keeps the last row of each pair in file order",
          "[hardening][duplicates]") {
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
  CHECK(recsys::keep_last_of_duplicates(rows, nu, ni) == n - expected.size());
  CHECK(rows.stars == expected);
}
}  // namespace

TEST_CASE("hardening: keep_last_of_duplicates agrees with a map on random rows",
          "[hardening][duplicates]") {
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

TEST_CASE("hardening: keep_last_of_duplicates agrees with a map on rows grouped by user",
          "[hardening][duplicates]") {
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

TEST_CASE("hardening: duplicate rows are dropped before the split and reported",
          "[hardening][duplicates]") {
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

TEST_CASE("hardening: duplicates in a --val file are counted separately",
          "[hardening][duplicates]") {
  TempDir dir;
  const std::string train = dir.write("train.csv", "userId,movieId,rating\n1,10,1\n2,20,5\n");
  const std::string val = dir.write("val.csv", "userId,movieId,rating\n1,20,1\n1,20,2\n1,20,3\n");
  recsys::DatasetOptions o;
  o.ratings_path = train;
  o.val_path = val;
  const recsys::Dataset d = recsys::load_dataset(o);
  CHECK(d.duplicate_rows == 2u);
  CHECK(d.val.stars == std::vector<float>{3});
  CHECK(d.train.size() == 2u);
}
