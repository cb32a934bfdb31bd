// End to end through the recsys binary: train on a small generated CSV with a
// planted pattern, read recommendations back, and check every error path's
// exit code, stderr line and effect on files.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "recsys/io/model_file.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using test_support::TempDir;

namespace {

// ---------------------------------------------------------------------------
// Running the binary

using Result = test_support::CliResult;
Result recsys_cli(const std::string& args) { return test_support::run_cli(args); }

std::string q(const std::string& path) { return "'" + path + "'"; }

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// ---------------------------------------------------------------------------
// The planted data: 24 users, 12 movies (101..112). Users 1..12 love movies
// 101..106 (4.5 or 5 stars) and dislike 107..112 (1 or 1.5); users 13..24 the
// opposite. Each user leaves out two movies of each half, so each has four
// unrated movies: two of the kind they love, two of the kind they dislike.

bool loves(int user, int movie) { return (user <= 12) == (movie <= 106); }

std::set<int> unrated_by(int user) {
  return {101 + user % 6, 101 + (user + 3) % 6, 107 + user % 6, 107 + (user + 3) % 6};
}

std::string ratings_csv() {
  std::string s = "userId,movieId,rating,timestamp\n";
  for (int u = 1; u <= 24; ++u)
    for (int m = 101; m <= 112; ++m) {
      if (unrated_by(u).count(m)) continue;
      const bool odd = (m + u) % 2;
      const char* stars = loves(u, m) ? (odd ? "5.0" : "4.5") : (odd ? "1.0" : "1.5");
      s += std::to_string(u) + "," + std::to_string(m) + "," + stars + "," +
           std::to_string(964980000 + u * 100 + m) + "\n";
    }
  return s;
}

std::string title_of(int movie) {
  switch (movie) {
    case 102:
      return "Second, The (1990)";
    case 105:
      return "Film \"Five\" (1995)";
    case 108:
      return "Eighth, \"Quoted\", Film (1998)";
    default:
      return "Movie " + std::to_string(movie) + " (2000)";
  }
}

std::string movies_csv() {
  std::string s = "movieId,title,genres\n";
  for (int m = 101; m <= 112; ++m) {
    std::string t = title_of(m), quoted = "\"";
    for (char c : t) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    s += std::to_string(m) + "," + quoted + "\"," + (m <= 106 ? "Comedy" : "Horror") + "\n";
  }
  return s;
}

const std::string kTrainArgs =
    " --dim 4 --epochs 40 --batch 16 --lr 0.05 --init-std 0.1 --optimizer adam --early-stopping 0 "
    "--quiet";

struct Fixture {
  TempDir dir;
  std::string ratings, model;
};

// One trained model shared by the tests that only read it.
const Fixture& trained() {
  static Fixture* f = [] {
    auto* p = new Fixture;
    p->ratings = p->dir.write("ratings.csv", ratings_csv());
    p->dir.write("movies.csv", movies_csv());
    p->model = p->dir.file("planted.model");
    const Result r = recsys_cli("train " + q(p->ratings) + " --model " + q(p->model) +
                                " --seed 7 --threads 1" + kTrainArgs);
    if (r.code != 0) FAIL("train failed: " << r.err);
    return p;
  }();
  return *f;
}

// ---------------------------------------------------------------------------
// CSV and JSON readers for the output

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (quoted) {
      if (c == '"' && k + 1 < line.size() && line[k + 1] == '"') {
        fields.back() += '"';
        ++k;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct Json {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;        // Array elements, or Object values
  std::vector<std::string> keys;  // Object keys, parallel to items

  const Json* get(const std::string& key) const {
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (keys[k] == key) return &items[k];
    return nullptr;
  }
};

// A strict little JSON parser: throws std::runtime_error on anything malformed.
class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse_document() {
    Json v = value();
    ws();
    if (pos_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(pos_));
  }
  void ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }
  bool eat(char c) {
    ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) == 0) {
      pos_ += w.size();
      return true;
    }
    return false;
  }
  std::string str() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail("bad escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          if (pos_ + 4 > s_.size()) fail("bad \\u escape");
          out += '?';
          pos_ += 4;
          break;
        default:
          fail("bad escape");
      }
    }
  }
  Json value() {
    ws();
    if (pos_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      v.type = Json::Object;
      if (eat('}')) return v;
      do {
        ws();
        v.keys.push_back(str());
        expect(':');
        v.items.push_back(value());
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++pos_;
      v.type = Json::Array;
      if (eat(']')) return v;
      do v.items.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = Json::String;
      v.string = str();
    } else if (literal("true")) {
      v.type = Json::Bool;
      v.boolean = true;
    } else if (literal("false")) {
      v.type = Json::Bool;
    } else if (literal("null")) {
      v.type = Json::Null;
    } else {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      v.number = std::strtod(begin, &end);
      if (end == begin || !(c == '-' || (c >= '0' && c <= '9'))) fail("bad value");
      v.type = Json::Number;
      pos_ += static_cast<std::size_t>(end - begin);
    }
    return v;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
};

double independent_stars(const recsys::TrainedModel& m, const std::string& user,
                         const std::string& item) {
  const auto u = *m.users.find(user), i = *m.items.find(item);
  const auto& e = m.tables;
  double z = double(e.user_bias[u]) + e.item_bias[i];
  for (int k = 0; k < e.dim; ++k)
    z += double(e.user_vec[std::size_t(u) * e.dim + k]) * e.item_vec[std::size_t(i) * e.dim + k];
  return m.scaler.min + (m.scaler.max - m.scaler.min) / (1.0 + std::exp(-z));
}

}  // namespace

TEST_CASE("cli: train then topn --format csv finds the planted pattern", "[cli]") {
  const Fixture& f = trained();
  const recsys::TrainedModel m = recsys::load_model(f.model);
  CHECK(m.users.size() == 24u);
  CHECK(m.items.size() == 12u);
  CHECK(m.source.movies_path == f.dir.file("movies.csv"));

  for (const int user : {1, 2, 13, 20}) {
    INFO("user " << user);
    const Result r = recsys_cli("topn --user " + std::to_string(user) +
                                " -n 10 --format csv --model " + q(f.model));
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    REQUIRE(!r.out.empty());
    CHECK(r.out.back() == '\n');
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 5u);  // header + the four unrated movies (fewer than -n 10)
    CHECK(lines[0] == "rank,movieId,title,score");
    std::set<int> movies;
    std::vector<int> order;
    double previous = 1e9;
    for (std::size_t k = 1; k < lines.size(); ++k) {
      const auto fields = split_csv_line(lines[k]);
      REQUIRE(fields.size() == 4u);
      CHECK(fields[0] == std::to_string(k));
      const int movie = std::stoi(fields[1]);
      movies.insert(movie);
      order.push_back(movie);
      CHECK(fields[2] == title_of(movie));
      const double score = std::stod(fields[3]);
      CHECK(score <= previous);
      previous = score;
      CHECK(score == Approx(independent_stars(m, std::to_string(user), fields[1])).margin(6e-5));
      // The planted pattern: loved kinds high, the others low.
      if (loves(user, movie))
        CHECK(score > 4.0);
      else
        CHECK(score < 2.0);
    }
    // Exactly the movies this user did not rate: every rated one (training or
    // validation row) is left out.
    CHECK(movies == unrated_by(user));
    CHECK(loves(user, order[0]));
    CHECK(loves(user, order[1]));
  }

  // -n limits the list.
  const Result three = recsys_cli("topn --user 1 -n 3 --format csv --model " + q(f.model));
  REQUIRE(three.code == 0);
  CHECK(lines_of(three.out).size() == 4u);
}

TEST_CASE("cli: topn --format json carries the same list", "[cli]") {
  const Fixture& f = trained();
  const Result csv = recsys_cli("topn --user 5 --format csv --model " + q(f.model));
  const Result json = recsys_cli("topn --user 5 --format json --model " + q(f.model));
  REQUIRE(csv.code == 0);
  REQUIRE(json.code == 0);
  const Json doc = JsonParser(json.out).parse_document();
  REQUIRE(doc.type == Json::Object);
  REQUIRE(doc.get("userId"));
  CHECK(doc.get("userId")->string == "5");
  const Json* recs = doc.get("recommendations");
  REQUIRE(recs);
  REQUIRE(recs->type == Json::Array);
  const auto lines = lines_of(csv.out);
  REQUIRE(recs->items.size() + 1 == lines.size());
  for (std::size_t k = 0; k < recs->items.size(); ++k) {
    const auto fields = split_csv_line(lines[k + 1]);
    const Json& r = recs->items[k];
    CHECK(r.get("rank")->number == double(k + 1));
    CHECK(r.get("movieId")->string == fields[1]);
    CHECK(r.get("title")->string == fields[2]);
    CHECK(r.get("score")->number == Approx(std::stod(fields[3])).margin(6e-5));
  }
}

TEST_CASE("cli: the same seed gives byte-identical model files", "[cli]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto a = dir.file("a.model"), b = dir.file("b.model"), c = dir.file("c.model");
  for (const auto& path : {a, b})
    REQUIRE(recsys_cli("train " + q(ratings) + " --model " + q(path) + " --seed 7 --threads 1" +
                       kTrainArgs)
                .code == 0);
  const auto bytes_a = test_support::read_bytes(a), bytes_b = test_support::read_bytes(b);
  REQUIRE(!bytes_a.empty());
  CHECK(bytes_a == bytes_b);
  // A different seed gives a different model (the comparison above can fail).
  REQUIRE(
      recsys_cli("train " + q(ratings) + " --model " + q(c) + " --seed 8 --threads 1" + kTrainArgs)
          .code == 0);
  CHECK(test_support::read_bytes(c) != bytes_a);
}

TEST_CASE("cli: dense adam gives the same weights whatever --threads", "[cli]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto one = dir.file("one.model"), three = dir.file("three.model");
  REQUIRE(recsys_cli("train " + q(ratings) + " --model " + q(one) + " --seed 3 --threads 1" +
                     kTrainArgs)
              .code == 0);
  REQUIRE(recsys_cli("train " + q(ratings) + " --model " + q(three) + " --seed 3 --threads 3" +
                     kTrainArgs)
              .code == 0);
  const auto m1 = recsys::load_model(one), m3 = recsys::load_model(three);
  CHECK(m1.tables.user_vec == m3.tables.user_vec);
  CHECK(m1.tables.item_vec == m3.tables.item_vec);
  CHECK(m1.tables.user_bias == m3.tables.user_bias);
  CHECK(m1.tables.item_bias == m3.tables.item_bias);
  CHECK(m3.settings.threads == 3);
}

TEST_CASE("cli: stdout carries data only; train --format json is one JSON object", "[cli]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto model = dir.file("m.model");

  SECTION("text format: nothing on stdout, the log on stderr") {
    const Result r = recsys_cli("train " + q(ratings) + " --model " + q(model) +
                                " --seed 1 --threads 1 --dim 4 --epochs 3 --batch 16");
    REQUIRE(r.code == 0);
    CHECK(r.out.empty());
    CHECK(!r.err.empty());
  }
  SECTION("json format") {
    const int epochs = 6;
    const Result r =
        recsys_cli("train " + q(ratings) + " --model " + q(model) +
                   " --seed 11 --threads 1 --dim 4 --epochs " + std::to_string(epochs) +
                   " --batch 16 --lr 0.05 --early-stopping 0 --format json");
    REQUIRE(r.code == 0);
    INFO("stdout: " << r.out);
    REQUIRE(!r.out.empty());
    CHECK(r.out.front() == '{');
    CHECK(r.out.back() == '\n');
    CHECK(count_lines(r.out) == 1u);
    const Json doc =
        JsonParser(r.out).parse_document();  // throws (fails the test) on anything else
    REQUIRE(doc.type == Json::Object);
    for (const char* key : {"val_rmse", "val_mae", "best_epoch", "seconds"}) {
      INFO(key);
      REQUIRE(doc.get(key));
      CHECK(doc.get(key)->type == Json::Number);
    }
    const double rmse = doc.get("val_rmse")->number, mae = doc.get("val_mae")->number;
    CHECK(rmse > 0);
    CHECK(mae > 0);
    CHECK(mae <= rmse + 1e-12);                              // MAE never exceeds RMSE
    CHECK(doc.get("best_epoch")->number == double(epochs));  // no early stopping: the last epoch
    CHECK(doc.get("seconds")->number >= 0);

    const Json* settings = doc.get("settings");
    REQUIRE(settings);
    REQUIRE(settings->type == Json::Object);
    CHECK(settings->get("dim")->number == 4);
    CHECK(settings->get("epochs")->number == epochs);
    CHECK(settings->get("batch")->number == 16);
    CHECK(settings->get("seed")->number == 11);
    CHECK(settings->get("lr")->number == Approx(0.05));
    const Json* history = doc.get("history");
    REQUIRE(history);
    REQUIRE(history->type == Json::Array);
    REQUIRE(history->items.size() == std::size_t(epochs));
    for (int k = 0; k < epochs; ++k) CHECK(history->items[k].get("epoch")->number == k + 1);
    // The last epoch's figures are the final ones.
    CHECK(history->items.back().get("val_rmse")->number == Approx(rmse).epsilon(1e-9));
  }
}

TEST_CASE("cli: val_rmse in the JSON matches the saved model's validation rows", "[cli]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto model = dir.file("m.model");
  const Result r = recsys_cli(
      "train " + q(ratings) + " --model " + q(model) +
      " --seed 5 --threads 1 --dim 4 --epochs 5 --batch 16 --early-stopping 0 --format json");
  REQUIRE(r.code == 0);
  const Json doc = JsonParser(r.out).parse_document();
  const recsys::TrainedModel m = recsys::load_model(model);
  // 192 rows, 10% holdout: ceil(19.2) = 20 validation rows.
  REQUIRE(m.validation.size() == 20u);
  double squared = 0, absolute = 0;
  for (std::size_t k = 0; k < m.validation.size(); ++k) {
    const std::string user = m.users.token(m.validation.user[k]),
                      item = m.items.token(m.validation.item[k]);
    const double error = independent_stars(m, user, item) - m.validation.stars[k];
    squared += error * error;
    absolute += std::abs(error);
  }
  const double n = double(m.validation.size());
  CHECK(doc.get("val_rmse")->number == Approx(std::sqrt(squared / n)).epsilon(1e-5));
  CHECK(doc.get("val_mae")->number == Approx(absolute / n).epsilon(1e-5));
  CHECK(doc.get("val_rows")->number == 20);
  CHECK(doc.get("train_rows")->number == 172);
}

TEST_CASE("cli: train logs the rows of each file it read", "[cli]") {
  TempDir dir;
  const auto train = dir.write("train.csv", "userId,movieId,rating\n1,1,4\n1,2,3\n2,1,5\n");
  const auto val = dir.write("val.csv", "userId,movieId,rating\n2,2,1\n");
  const Result r = recsys_cli("train " + q(train) + " --val " + q(val) + " --model " +
                              q(dir.file("m.model")) + " --epochs 1 --threads 1");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains(train + ": 3 ratings, " + val + ": 1 ratings, 2 users, 2 movies"));
  CHECK_THAT(r.err, Contains("training rows 3, validation rows 1 from " + val));
  // The settings the model file keeps are every setting of the run.
  const recsys::TrainedModel m = recsys::load_model(dir.file("m.model"));
  CHECK(m.settings.val_fraction == 0);
  CHECK(m.settings.epochs == 1);
}

TEST_CASE("cli: a missing ratings file exits 2 with one line and writes nothing", "[cli][errors]") {
  TempDir dir;
  const auto missing = dir.file("nope.csv"), model = dir.file("m.model");
  const Result r =
      recsys_cli("train " + q(missing) + " --model " + q(model) + " --dim 4 --epochs 1");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1u);
  CHECK_THAT(r.err, Contains(missing));
  CHECK(dir.entries().empty());
}

TEST_CASE("cli: topn for an unknown user exits 2 naming the model file", "[cli][errors]") {
  const Fixture& f = trained();
  const Result r = recsys_cli("topn --user 999 --format csv --model " + q(f.model));
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1u);
  CHECK_THAT(r.err, Contains(f.model));
  CHECK_THAT(r.err, Contains("999"));
}

TEST_CASE("cli: topn on a corrupt or foreign model file exits 2", "[cli][errors]") {
  const Fixture& f = trained();
  TempDir dir;
  auto bytes = test_support::read_bytes(f.model);
  REQUIRE(bytes.size() > 100);
  bytes[bytes.size() / 2] ^= 0x10;
  const auto corrupt = dir.file("corrupt.model");
  test_support::write_bytes(corrupt, bytes);
  const Result r = recsys_cli("topn --user 1 --model " + q(corrupt));
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1u);
  CHECK_THAT(r.err, Contains(corrupt));

  const Result csv = recsys_cli("topn --user 1 --model " + q(f.ratings));
  CHECK(csv.code == 2);
  CHECK(count_lines(csv.err) == 1u);
  CHECK_THAT(csv.err, Contains(f.ratings));

  const Result missing = recsys_cli("topn --user 1 --model " + q(dir.file("none.model")));
  CHECK(missing.code == 2);
  CHECK(count_lines(missing.err) == 1u);
  CHECK_THAT(missing.err, Contains(dir.file("none.model")));
}

TEST_CASE("cli: --dim 0 exits 2 and writes no model", "[cli][errors]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto model = dir.file("m.model");
  const Result r =
      recsys_cli("train " + q(ratings) + " --model " + q(model) + " --dim 0 --epochs 1");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1u);
  CHECK_THAT(r.err, Contains("--dim"));
  CHECK(dir.entries() == std::vector<std::string>{"ratings.csv"});
}

TEST_CASE("cli: a failed train leaves an existing good model untouched", "[cli][errors]") {
  const Fixture& f = trained();
  TempDir dir;
  const auto good = test_support::read_bytes(f.model);
  const auto model = dir.file("keep.model");
  test_support::write_bytes(model, good);
  const auto bad = dir.write("bad.csv", "userId,movieId,rating\n1,101,4\n2,102,five\n");
  const auto before = dir.entries();

  for (const std::string& args :
       {"train " + q(bad) + " --model " + q(model) + " --dim 4 --epochs 1",
        "train " + q(f.ratings) + " --model " + q(model) + " --dim 0",
        "train " + q(dir.file("missing.csv")) + " --model " + q(model)}) {
    INFO(args);
    const Result r = recsys_cli(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1u);
    CHECK(test_support::read_bytes(model) == good);
    CHECK(dir.entries() == before);  // no temporary file left behind either
  }
  // The bad CSV's error names its file and line.
  const Result r = recsys_cli("train " + q(bad) + " --model " + q(dir.file("new.model")) +
                              " --dim 4 --epochs 1");
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Contains(bad + ":3:"));
  CHECK(dir.entries() == before);
}
