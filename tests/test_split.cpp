// Dividing one ratings file into training and validation rows: the random
// holdout, and the time splits (each user's latest ratings, the latest of
// all) on hand-made files with timestamps, whose parts are worked out by hand
// in the comments; the split as a setting, in the model file, and through
// `recsys train` and `recsys info`.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "model_bytes.hpp"
#include "recsys/data/dataset.hpp"
#include "recsys/data/split.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/train/fit.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/util/error.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::run_recsys;
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
  CHECK_FALSE((v1.stars[0] == 0.0f && v1.stars[v1.size() - 1] == 39.0f));
  CHECK_FALSE((v1.stars[0] == 160.0f && v1.stars[v1.size() - 1] == 199.0f));
}

TEST_CASE("the random split moves the same rows with its draws on a second thread", "[split]") {
  // Large enough for the pipeline (chunks of 65,536 rows), with a last chunk
  // cut short; rows numbered by user and item so that every row is known.
  Ratings all;
  for (std::uint32_t k = 0; k < 300007; ++k) all.push(k / 1000, k % 1000, float(k % 10) / 2);
  for (const double fraction : {0.1, 0.5, 0.97}) {
    Ratings one = all, two = all, one_val, two_val;
    recsys::split_in_place(one, fraction, 3, one_val, 1);
    recsys::split_in_place(two, fraction, 3, two_val, 2);
    CHECK(one_val.size() == recsys::rows_to_hold_out(all.size(), fraction));
    CHECK(one.user == two.user);
    CHECK(one.item == two.item);
    CHECK(one.stars == two.stars);
    CHECK(one_val.user == two_val.user);
    CHECK(one_val.item == two_val.item);
    CHECK(one_val.stars == two_val.stars);
  }
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

// ---------------------------------------------------------------------------
// The split as a setting of the run: text, model file, command line.

TEST_CASE("the split setting: names, default, error", "[split][train_config]") {
  recsys::TrainConfig c;
  CHECK(c.split == Split::Random);
  CHECK(recsys::TrainConfig::from_preset("notebook").split == Split::Random);
  CHECK(recsys::setting_text(c, "split") == "random");
  for (const auto& [text, split] :
       {std::pair{"user-time", Split::UserTime}, std::pair{"time", Split::Time},
        std::pair{"random", Split::Random}}) {
    CHECK(recsys::set_setting(c, "split", text));
    CHECK(c.split == split);
    CHECK(recsys::setting_text(c, "split") == text);
    CHECK(recsys::split_name(split) == text);
  }
  CHECK_THROWS_WITH(recsys::set_setting(c, "split", "user_time"),
                    "unknown --split 'user_time' (choose random or user-time or time)");
}

TEST_CASE("fit splits as configured, and the model file keeps the split", "[split][model_file]") {
  TempDir dir;
  recsys::DatasetOptions files;
  files.ratings_path = dir.write("ratings.csv", kTimed);
  recsys::TrainConfig config;
  config.dim = 2;
  config.epochs = 1;
  config.threads = 1;
  config.val_fraction = 0.5;
  config.split = Split::UserTime;
  const recsys::TrainedModel m = recsys::fit(files, config).model;
  // The rows of the user-time test above, fraction 0.5.
  Rows val;
  for (std::size_t k = 0; k < m.validation.size(); ++k)
    val.push_back(m.users.token(m.validation.user[k]) + "," + m.items.token(m.validation.item[k]) +
                  "," + std::to_string(static_cast<int>(m.validation.stars[k])));
  CHECK(val == Rows{"1,11,2", "3,10,4", "3,11,5", "1,13,4", "4,11,3"});
  CHECK(m.settings.split == Split::UserTime);

  recsys::TrainedModel copy = m;
  for (const Split split : {Split::Random, Split::UserTime, Split::Time}) {
    copy.settings.split = split;
    const auto bytes = recsys::serialize_model(copy);
    CHECK(recsys::parse_model(bytes, "m.model").settings.split == split);
  }
}

namespace {

// The model's bytes without the settings pair `key`: the file as recsys wrote
// it before that setting existed (same format version, sizes and CRC redone).
model_bytes::Bytes without_setting(model_bytes::Bytes b, const std::string& key) {
  using namespace model_bytes;
  for (const Section& s : sections_of(b)) {
    if (std::string(b.begin() + s.start, b.begin() + s.start + 4) != "SETT") continue;
    const std::uint64_t n = get_u64(b, s.body);
    std::size_t at = s.body + 8;
    for (std::uint64_t k = 0; k < n; ++k) {
      const std::size_t pair = at;
      const std::uint64_t key_length = get_u64(b, at);
      const std::string name(b.begin() + at + 8, b.begin() + at + 8 + key_length);
      at += 8 + key_length;
      at += 8 + get_u64(b, at);
      if (name != key) continue;
      const std::size_t cut = at - pair;
      b.erase(b.begin() + pair, b.begin() + at);
      put_u64(b, s.body, n - 1);
      put_u64(b, s.start + 4, get_u64(b, s.start + 4) - cut);
      put_u64(b, 16, get_u64(b, 16) - cut);
      reseal(b);
      return b;
    }
  }
  FAIL("no setting " << key);
  return b;
}

}  // namespace

TEST_CASE("a model file without the split setting loads as random", "[split][model_file]") {
  SECTION("format version 2, written before the setting existed") {
    TempDir dir;
    recsys::DatasetOptions files;
    files.ratings_path = dir.write("ratings.csv", kTimed);
    recsys::TrainConfig config;
    config.dim = 2;
    config.epochs = 1;
    config.threads = 1;
    config.split = Split::Time;
    const auto bytes = recsys::serialize_model(recsys::fit(files, config).model);
    const auto old = without_setting(bytes, "split");
    REQUIRE(old.size() + 8 + 5 + 8 + 4 == bytes.size());  // "split" and "time" left out
    const recsys::TrainedModel m = recsys::parse_model(old, "old.model");
    CHECK(m.format_version == 2u);
    CHECK(m.settings.split == Split::Random);
    // Every other setting is still required in a version 2 file.
    const auto cut = without_setting(bytes, "shuffle");
    const auto e = error_from([&] { recsys::parse_model(cut, "cut.model"); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("a setting is missing"));
  }
  SECTION("format version 1") {
    const std::string path = RECSYS_SOURCE_DIR "/tests/data/model-format-v1.recsys";
    CHECK(recsys::load_model(path).settings.split == Split::Random);
    const auto info = test_support::run_cli("info --model " + q(path));
    CHECK(info.code == 0);
    CHECK_THAT(info.out, Contains("random holdout of 10.0%"));
  }
}

namespace {

struct CsvRow {
  std::string user, movie;
  std::int64_t time;
  std::size_t line;
};

// data/ratings.csv read independently of the loader (it has no quotes or blanks).
std::vector<CsvRow> read_sample(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  REQUIRE(text == "userId,movieId,rating,timestamp");
  std::vector<CsvRow> rows;
  for (std::size_t line = 2; std::getline(in, text); ++line) {
    std::stringstream fields(text);
    std::string user, movie, stars, time;
    std::getline(fields, user, ',');
    std::getline(fields, movie, ',');
    std::getline(fields, stars, ',');
    std::getline(fields, time, ',');
    rows.push_back({user, movie, std::stoll(time), line});
  }
  return rows;
}

// The held-out (user, movie) pairs in file order, by the split's definition with
// --val-fraction 0.1 (the sample has no duplicate pairs).
std::vector<std::string> expected_val(const std::vector<CsvRow>& rows, Split split) {
  auto later = [&](std::size_t a, std::size_t b) {
    return std::tie(rows[a].time, rows[a].line) > std::tie(rows[b].time, rows[b].line);
  };
  std::vector<bool> held(rows.size(), false);
  std::map<std::string, std::vector<std::size_t>> by_user;
  if (split == Split::UserTime)
    for (std::size_t k = 0; k < rows.size(); ++k) by_user[rows[k].user].push_back(k);
  else
    for (std::size_t k = 0; k < rows.size(); ++k) by_user[""].push_back(k);
  for (auto& [user, ks] : by_user) {
    std::sort(ks.begin(), ks.end(), later);
    // ceil(n / 10) in integers; a user keeps one training rating.
    std::size_t n_val = (ks.size() + 9) / 10;
    if (split == Split::UserTime) n_val = std::min(n_val, ks.size() - 1);
    for (std::size_t j = 0; j < n_val; ++j) held[ks[j]] = true;
  }
  std::vector<std::string> out;
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (held[k]) out.push_back(rows[k].user + "," + rows[k].movie);
  return out;
}

std::vector<std::string> val_pairs(const recsys::TrainedModel& m) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < m.validation.size(); ++k)
    out.push_back(m.users.token(m.validation.user[k]) + "," + m.items.token(m.validation.item[k]));
  return out;
}

}  // namespace

TEST_CASE("cli: train --split on the sample, info shows the split", "[split][cli]") {
  const std::string ratings = RECSYS_SOURCE_DIR "/data/ratings.csv";
  const auto rows = read_sample(ratings);
  TempDir dir;
  const std::string model = dir.file("m.model");
  const std::string quick = " --dim 4 --epochs 2 --threads 1 --model " + q(model);
  struct Case {
    const char* split;
    Split kind;
    const char* log;
    const char* info;
  };
  for (const Case& c :
       {Case{"user-time", Split::UserTime,
             "training rows 17,882, validation rows 2,118 (user-time split: each user's latest "
             "10.0% "
             "by timestamp)",
             "each user's latest 10.0% by timestamp"},
        Case{"time", Split::Time,
             "training rows 18,000, validation rows 2,000 (time split: the latest 10.0% of all "
             "ratings by timestamp)",
             "the latest 10.0% of all ratings by timestamp"},
        Case{"random", Split::Random,
             "training rows 18,000, validation rows 2,000 (random 10.0% holdout, seed 42)",
             "random holdout of 10.0%"}}) {
    INFO("--split " << c.split);
    const auto train = test_support::run_cli("train " + q(ratings) + " --split " + c.split + quick);
    REQUIRE(train.code == 0);
    CHECK_THAT(train.err, Contains(c.log));
    const recsys::TrainedModel m = recsys::load_model(model);
    CHECK(m.settings.split == c.kind);
    if (c.kind != Split::Random) CHECK(val_pairs(m) == expected_val(rows, c.kind));
    const auto info = test_support::run_cli("info --model " + q(model));
    REQUIRE(info.code == 0);
    CHECK_THAT(info.out, Contains("validation          " + std::string(c.info) + "\n"));
    const auto json = test_support::run_cli("info --format json --model " + q(model));
    CHECK_THAT(json.out, Contains("\"split\":\"" + std::string(c.split) + "\""));
  }
  // The sample's 300 users have 25 to 200 ratings each, so each one's ceil(n / 10) is at
  // most n - 1: the user-time split holds out 2,118 rows; the time split ceil(20,000 / 10).
  CHECK(expected_val(rows, Split::UserTime).size() == 2118u);
  CHECK(expected_val(rows, Split::Time).size() == 2000u);
}

TEST_CASE("cli: a time split without timestamps, and --timestamp-col", "[split][cli][errors]") {
  TempDir dir;
  const auto plain = dir.write("plain.csv", "userId,movieId,rating\n1,10,4\n1,11,3\n2,10,5\n");
  const std::string quick = " --dim 2 --epochs 1 --threads 1 --model " + q(dir.file("m.model"));
  check_failure(run_recsys("train " + q(plain) + " --split user-time" + quick), 2,
                plain + ":1: ", {"missing column 'timestamp'", "--timestamp-col"});
  CHECK_FALSE(std::filesystem::exists(dir.file("m.model")));
  const auto bad = dir.write("bad.csv", "userId,movieId,rating,timestamp\n1,10,4,1\n1,11,3,soon\n");
  check_failure(run_recsys("train " + q(bad) + " --split time" + quick), 2,
                bad + ":3: ", {"timestamp 'soon' is not a whole number"});
  check_failure(run_recsys("train " + q(plain) + " --split daily" + quick), 2, "",
                {"unknown --split 'daily' (choose random or user-time or time)"});

  const auto named = dir.write("named.csv", "u,m,r,when\n1,10,4,2\n1,11,3,1\n2,10,5,3\n");
  const auto ok = test_support::run_cli("train " + q(named) +
                                        " --user-col u --item-col m --rating-col r "
                                        "--timestamp-col when --split user-time" +
                                        quick);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.err, Contains("training rows 2, validation rows 1 (user-time split"));

  // With --val the split is not used: no timestamp is needed.
  const auto val = dir.write("val.csv", "userId,movieId,rating\n2,11,1\n");
  const auto with_val =
      test_support::run_cli("train " + q(plain) + " --val " + q(val) + " --split time" + quick);
  CHECK(with_val.code == 0);
  CHECK_THAT(with_val.err, Contains("training rows 3, validation rows 1 from " + val));
}
