// End to end through the recsys binary: train on a small generated CSV with a
// planted pattern, read recommendations back, and check every error path's
// exit code, stderr line and effect on files.
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "recsys/io/model_file.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

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
    " --objective rating --dim 4 --epochs 40 --batch 16 --lr 0.05 --init-std 0.1 --optimizer adam "
    "--early-stopping 0 "
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

TEST_CASE("cli: --min-delta stops a plateau sooner and keeps its lowest epoch", "[cli]") {
  test_support::TempDir dir;
  const std::string ratings = RECSYS_SOURCE_DIR "/data/ratings.csv";
  // epochs run, best epoch, and whether the best is the lowest RMSE of those run
  const auto train = [&](const std::string& delta) {
    const Result r =
        recsys_cli("train " + q(ratings) + " --model " + q(dir.file("m.model")) +
                   " --objective rating --threads 1 --min-delta " + delta + " --format json");
    REQUIRE(r.code == 0);
    const Json doc = JsonParser(r.out).parse_document();
    const auto& history = doc.get("history")->items;
    double lowest = 1e300;
    int lowest_epoch = 0;
    for (const Json& h : history)
      if (h.get("val_rmse")->number < lowest) {
        lowest = h.get("val_rmse")->number;
        lowest_epoch = int(h.get("epoch")->number);
      }
    CHECK(doc.get("best_epoch")->number == lowest_epoch);
    CHECK(doc.get("val_rmse")->number == Approx(lowest).epsilon(1e-9));
    CHECK(r.err.find("early stopping: 3 epochs without val RMSE falling") != std::string::npos);
    return history.size();
  };
  const std::size_t none = train("0"), small = train("0.001"), large = train("0.01");
  INFO("epochs run: " << none << ", " << small << ", " << large);
  CHECK(large < none);
  CHECK(small <= none);
  CHECK(large <= small);
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

TEST_CASE("cli: stdout carries data only, train --format json is one JSON object", "[cli]") {
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
    const Result r = recsys_cli("train " + q(ratings) + " --model " + q(model) +
                                " --objective rating --seed 11 --threads 1 --dim 4 --epochs " +
                                std::to_string(epochs) +
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
      " --objective rating --seed 5 --threads 1 --dim 4 --epochs 5 --batch 16 --early-stopping 0 "
      "--format json");
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

TEST_CASE("cli: the default choice model shows choice scores, never stars", "[cli][choice]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto model = dir.file("c.model");
  const Result t =
      recsys_cli("train " + q(ratings) + " --model " + q(model) + " --epochs 3 --threads 1");
  REQUIRE(t.code == 0);
  CHECK_THAT(t.err, Contains("preset default, objective choice, negative weight 0.75, dim 64"));
  CHECK_THAT(t.err, Contains("lr 0.02 (cosine)"));
  CHECK_THAT(t.err, Contains("val ndcg@10 "));
  CHECK_THAT(t.err, Contains("(the most-popular chart: "));
  CHECK_THAT(t.err, Contains("loss "));
  CHECK_THAT(t.err, Contains("it predicts no stars"));
  CHECK(t.err.find("val RMSE") == std::string::npos);
  const recsys::TrainedModel m = recsys::load_model(model);
  const std::string user = m.users.token(0);
  const Result csv = recsys_cli("topn --user " + user + " --format csv --model " + q(model));
  REQUIRE(csv.code == 0);
  CHECK(csv.out.rfind("rank,movieId,title,choice_score\n", 0) == 0);
  const Result table = recsys_cli("topn --user " + user + " --model " + q(model));
  CHECK_THAT(table.out, Contains("choice_score"));
  const Result all = recsys_cli("topn --all-users --format csv --model " + q(model));
  CHECK(all.out.rfind("userId,rank,movieId,choice_score\n", 0) == 0);
  const Result metrics = recsys_cli("metrics --format json --model " + q(model));
  REQUIRE(metrics.code == 0);
  CHECK(metrics.out.find("\"rmse\"") == std::string::npos);
  // train's closing validation figures are those metrics computes on the same rows.
  const Result again = recsys_cli("train " + q(ratings) + " --model " + q(model) +
                                  " --epochs 3 --threads 1 --format json");
  REQUIRE(again.code == 0);
  const Json trained = JsonParser(again.out).parse_document();
  const Json measured = JsonParser(metrics.out).parse_document();
  CHECK(trained.get("val_ndcg_at_10")->number == measured.get("ndcg_at_k")->number);
  CHECK(trained.get("val_hit_rate_at_10")->number == measured.get("hit_rate_at_k")->number);
  CHECK(trained.get("popularity_val_ndcg_at_10")->number ==
        measured.get("baselines")->get("popularity")->get("ndcg_at_k")->number);
  CHECK(trained.get("val_rmse")->type == Json::Null);
  CHECK_THAT(metrics.out, Contains("\"ndcg_at_k\""));
  CHECK_THAT(metrics.err, Contains("no accuracy figures (its scores are not ratings)"));
  const Result info = recsys_cli("info --model " + q(model));
  CHECK_THAT(info.out, Contains("objective choice"));
  CHECK_THAT(info.out, Contains("none in stars"));
  CHECK_THAT(info.out, Contains("lr 0.0200 (cosine), weight decay 10, init std 0.100, seed 42"));
  // Its history is a loss per epoch, with no columns of figures in stars.
  CHECK_THAT(info.out, Contains("epoch    loss\n"));
  CHECK(info.out.find("val_rmse") == std::string::npos);
  CHECK(info.out.find("sparse-adam") == std::string::npos);
}

TEST_CASE("cli: --objective rating and --preset notebook bring the rating settings",
          "[cli][choice]") {
  TempDir dir;
  const auto ratings = dir.write("ratings.csv", ratings_csv());
  const auto train = [&](const std::string& args) {
    const auto model = dir.file("m.model");
    const Result r = recsys_cli("train " + q(ratings) + " --model " + q(model) +
                                " --epochs 2 --threads 1 " + args);
    REQUIRE(r.code == 0);
    return recsys::load_model(model).settings;
  };
  const recsys::TrainConfig rating = train("--objective rating");
  CHECK(rating.preset == "default");
  CHECK(rating.objective == recsys::Objective::Rating);
  CHECK(rating.dim == 32);
  CHECK(rating.lr == 0.002);
  CHECK(rating.early_stopping == 3);
  const recsys::TrainConfig notebook = train("--preset notebook");
  CHECK(notebook.objective == recsys::Objective::Rating);
  CHECK(notebook.dim == 16);
  // An explicit option still wins over the objective's preset.
  const recsys::TrainConfig wide = train("--objective rating --dim 8");
  CHECK(wide.dim == 8);
  CHECK(wide.batch == 256u);
  const recsys::TrainConfig choice = train("--preset choice");
  CHECK(choice.objective == recsys::Objective::Choice);
  CHECK(choice.dim == 64);
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

// ===========================================================================
// The command line under abuse: bad ids and sizes, unwritable and full
// outputs, a reader that stops early, and signals in the middle of training.
// A model file is never lost: after SIGKILL, Ctrl-C or a failed write the
// previous one is still there, byte for byte, and loads. In a namespace of
// their own: they run the binary through test_hardening_support.hpp, whose
// Result and q are not the ones above.
namespace cli_abuse {

using hardening::check_failure;
using hardening::Child;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;

namespace {

namespace fs = std::filesystem;

// Synthetic data big enough that an epoch of dense Adam takes a while, and a
// quick model trained on it.
struct Data {
  TempDir dir;
  std::string ratings, model;
  std::vector<std::uint8_t> model_bytes;
};

const Data& data() {
  static Data* d = [] {
    auto* p = new Data;
    hardening::synth(p->dir, 3000, 1500, 60000);
    p->ratings = p->dir.file("ratings.csv");
    p->model = p->dir.file("quick.model");
    const Result r = run_recsys("train " + q(p->ratings) + " --model " + q(p->model) +
                                " --dim 8 --epochs 1 --threads 1 --quiet");
    if (r.code != 0) FAIL("train failed: " << r.err);
    p->model_bytes = test_support::read_bytes(p->model);
    return p;
  }();
  return *d;
}

// A directory holding a copy of the quick model as "m.model".
struct WithModel {
  TempDir dir;
  std::string model = dir.file("m.model");
  WithModel() { test_support::write_bytes(model, data().model_bytes); }
  bool intact() const {
    if (test_support::read_bytes(model) != data().model_bytes) return false;
    return recsys::load_model(model).users.size() == 3000u;
  }
};

std::vector<std::string> long_training(const std::string& model, const std::string& extra = "") {
  std::vector<std::string> args = {
      "train",    data().ratings, "--model",          model, "--optimizer", "adam",
      "--dim",    "128",          "--batch",          "64",  "--threads",   "1",
      "--epochs", "1000",         "--early-stopping", "0"};
  if (!extra.empty()) args.push_back(extra);
  return args;
}

const std::string kQuick = " --dim 2 --epochs 1 --batch 64 --threads 1 --quiet";

}  // namespace

// ---------------------------------------------------------------------------
// Ids and sizes

TEST_CASE("cli: unknown ids and -n 0", "[hardening][cli]") {
  const Data& d = data();
  check_failure(run_recsys("topn --user no-such-user --model " + q(d.model)), 2, d.model + ": ",
                {"user 'no-such-user' is not in this model", "3000 users"});
  check_failure(run_recsys("topn --user 1 -n 0 --model " + q(d.model)), 2, "-n must be at least 1",
                {});
  check_failure(run_recsys("topn --user 1 -n -5 --model " + q(d.model)), 2, "-n must be at least 1",
                {});
  check_failure(run_recsys("topn --user 1 -n lots --model " + q(d.model)), 2, "",
                {"-n = lots", "recsys topn --help"});
  if (run_recsys("similar --help").code == 0) {
    check_failure(run_recsys("similar --movie 99999999 --model " + q(d.model)), 2, d.model + ": ",
                  {"movie '99999999' is not in this model"});
    check_failure(run_recsys("similar --movie 1 -n 0 --model " + q(d.model)), 2,
                  "-n must be at least 1", {});
  }
}

TEST_CASE("cli: negative, zero and absurd sizes are refused before loading", "[hardening][cli]") {
  TempDir dir;
  const std::string model = dir.file("m.model");
  const struct {
    const char* args;
    const char* says;
  } cases[] = {
      {"--dim 0", "--dim must be between 1 and 4096"},
      {"--dim -3", "--dim must be between 1 and 4096"},
      {"--dim 100000000", "--dim must be between 1 and 4096"},
      {"--batch 0", "--batch must be between 1 and 16777216"},
      {"--batch 99999999999", "--batch must be between 1 and 16777216"},
      {"--epochs -1", "--epochs must be between 1 and 1000000"},
      {"--epochs 0", "--epochs must be between 1 and 1000000"},
      {"--lr 0", "--lr must be a positive number"},
      {"--lr nan", "--lr must be a positive number"},
      {"--lr inf", "--lr must be a positive number"},
      {"--weight-decay -1", "--weight-decay must be 0 or more"},
      {"--init-std -0.5", "--init-std must be 0 or more"},
      {"--early-stopping -2", "--early-stopping must be 0 (off) or more"},
      {"--threads -1", "--threads must be between 0 (all cores) and 1024"},
      {"--threads 100000", "--threads must be between 0 (all cores) and 1024"},
      {"--checkpoint-every -1", "--checkpoint-every must be 0 (off) or more"},
      {"--val-fraction 1", "--val-fraction must be in [0, 1)"},
      {"--val-fraction -0.1", "--val-fraction must be in [0, 1)"},
      {"--val-fraction nan", "--val-fraction must be in [0, 1)"},
      {"--preset huge", "unknown --preset 'huge' (choose default, notebook or choice)"},
      {"--optimizer sgd", "sgd"},
      {"--format xml", "--format"},
      {"--epochs many", "--epochs"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    // The ratings file does not even exist: options are checked first.
    const Result r =
        run_recsys("train " + q(dir.file("absent.csv")) + " --model " + q(model) + " " + c.args);
    check_failure(r, 2, "", {c.says});
  }
  CHECK(dir.entries().empty());
}

TEST_CASE("cli: tables too big for this machine's memory are refused", "[hardening][cli]") {
  TempDir dir;
  // About 1.5 million users in 2 million ratings (most rate once): at --dim
  // 4096, weights, two Adam moments and the best epoch's copy take about
  // 110 GiB; the check needs only the counts, never the memory.
  hardening::synth(dir, 1500000, 1000000, 2000000);
  const std::string model = dir.file("m.model");
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (static_cast<double>(pages) * static_cast<double>(page) > 100e9) {
    WARN("skipped: this machine has more than 100 GB of memory");
    return;
  }
  const Result r = run_recsys("train " + q(dir.file("ratings.csv")) + " --model " + q(model) +
                              " --dim 4096 --threads 64 --optimizer sparse-adam --quiet");
  check_failure(r, 2, "--dim 4096 needs about", {"GiB", "lower --dim"});
  CHECK(!fs::exists(model));
}

// ---------------------------------------------------------------------------
// Outputs

TEST_CASE("cli: an output path in a missing directory fails before training", "[hardening][cli]") {
  const Data& d = data();
  TempDir dir;
  const std::string model = dir.file("no/such/dir/m.model");
  const auto start = std::chrono::steady_clock::now();
  check_failure(
      run_recsys("train " + q(d.ratings) + " --model " + q(model) + " --epochs 500 --quiet"), 2,
      model + ": ", {"cannot write", "does not exist; create it first"});
  // Refused up front, not after 500 epochs.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(dir.entries().empty());

  check_failure(run_recsys("train " + q(d.ratings) + " --model " + q(dir.path().string()) + kQuick),
                2, dir.path().string() + ": ", {"is a directory; give a file name"});
  const std::string file = dir.write("plain", "x");
  check_failure(run_recsys("train " + q(d.ratings) + " --model " + q(file + "/m.model") + kQuick),
                2, file + "/m.model: ", {"is not a directory"});
}

TEST_CASE("cli: a device as the model is refused up front and survives, a full stdout is an error",
          "[hardening][cli]") {
  const Data& d = data();
  // Only regular files are written (atomic_file.hpp): /dev/full and /dev/null
  // are refused before training, and stay devices even as root.
  for (const std::string device : {"/dev/full", "/dev/null"}) {
    check_failure(run_recsys("train " + q(d.ratings) + " --model " + device + kQuick), 2,
                  device + ": ", {"cannot write: is a device, not a regular file"});
    struct stat st {};
    REQUIRE(::stat(device.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  check_failure(hardening::shell("RECSYS info --model " + q(d.model) + " >/dev/full"), 2,
                "<stdout>: ", {"No space left on device"});
}

TEST_CASE("cli: a write cut short (ulimit -f) keeps the previous model", "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  // 64 blocks of 512 bytes is less than the model; SIGXFSZ is ignored, so the
  // write fails with EFBIG instead of killing the process.
  const Result r = hardening::shell("ulimit -f 64; RECSYS train " + q(d.ratings) + " --model " +
                                    q(w.model) + " --dim 32 --epochs 1 --threads 1 --quiet");
  check_failure(r, 2, w.model + ": ", {"File too large", "ulimit -f"});
  CHECK(w.intact());
  CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});
}

TEST_CASE("cli: a symbolic link to the model is kept, and so are its permissions",
          "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  ::chmod(w.model.c_str(), 0600);
  const std::string link = w.dir.file("link.model");
  fs::create_symlink("m.model", link);
  REQUIRE(run_recsys("train " + q(d.ratings) + " --model " + q(link) + kQuick).code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(test_support::read_bytes(w.model) != data().model_bytes);  // written through the link
  struct stat st {};
  REQUIRE(::stat(w.model.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(w.dir.entries() == std::vector<std::string>{"link.model", "m.model"});
}

TEST_CASE("cli: a reader that stops early (| head -1) ends the command quietly",
          "[hardening][cli]") {
  const Data& d = data();
  TempDir dir;
  // 2000 epochs of history: far more JSON than a pipe buffer holds, so the
  // write really meets a closed pipe.
  const std::string tiny =
      dir.write("tiny.csv", "userId,movieId,rating\n1,1,1\n1,2,5\n2,1,4\n2,2,2\n");
  dir.write("movies.csv", "movieId,title\n1,One\n2,Two\n");
  const std::string model = dir.file("tiny.model");
  const std::string train =
      "train " + q(tiny) + " --model " + q(model) +
      " --dim 2 --epochs 2000 --early-stopping 0 --threads 1 --quiet --format json";
  const Result all = run_recsys(train);
  REQUIRE(all.code == 0);
  REQUIRE(all.out.size() > (1u << 17));
  std::vector<std::string> commands = {train + " | head -c 10", train + " | true",
                                       "info --model " + q(d.model) + " | head -1",
                                       "topn --user 1 --model " + q(d.model) + " | head -1"};
  if (run_recsys("topn --help").out.find("--all-users") != std::string::npos)
    commands.push_back("topn --all-users --format csv --model " + q(d.model) + " | head -1");
  for (const std::string& cmd : commands) {
    INFO(cmd);
    const Result r = hardening::shell("set -o pipefail; RECSYS " + cmd);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
  }
  // The model is written before the JSON, so it is complete.
  CHECK(recsys::load_model(model).history.size() == 2000u);
}

TEST_CASE("cli: closed stdout or stderr", "[hardening][cli]") {
  const Data& d = data();
  const Result no_stdout = hardening::shell("RECSYS info --model " + q(d.model) + " >&-");
  CHECK(no_stdout.code == 0);
  CHECK(no_stdout.err.empty());
  // An error with stderr closed still exits 2, and nothing lands in the model.
  WithModel w;
  const Result no_stderr =
      hardening::shell("RECSYS train " + q(d.ratings) + " --model " + q(w.model) + " --dim 0 2>&-");
  CHECK(no_stderr.code == 2);
  CHECK(w.intact());
  const Result train = hardening::shell("RECSYS train " + q(d.ratings) + " --model " + q(w.model) +
                                        " --dim 2 --epochs 1 --threads 1 >&- 2>&-");
  CHECK(train.code == 0);
  CHECK(recsys::load_model(w.model).settings.dim == 2);
}

// ---------------------------------------------------------------------------
// Signals

TEST_CASE("cli: SIGKILL during training leaves the previous model intact",
          "[hardening][cli][signals]") {
  WithModel w;
  for (const int delay_ms : {0, 30, 150, 400, 900}) {
    INFO("killed after " << delay_ms << " ms");
    Child child(long_training(w.model), w.dir.file("out"), w.dir.file("err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child.signal(SIGKILL);
    const Result r = child.wait();
    CHECK(r.signal == SIGKILL);
    CHECK(w.intact());
    fs::remove(w.dir.file("out"));
    fs::remove(w.dir.file("err"));
    CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});  // no temporary left
  }
}

TEST_CASE("cli: SIGKILL with --checkpoint-every always leaves a loadable model",
          "[hardening][cli][signals]") {
  WithModel w;
  const std::string err = w.dir.file("err");
  // Sparse Adam: short epochs, so checkpoints are written often and some
  // kills land in or near a write.
  std::vector<std::string> args = {"train",
                                   data().ratings,
                                   "--model",
                                   w.model,
                                   "--objective",
                                   "rating",
                                   "--dim",
                                   "64",
                                   "--threads",
                                   "1",
                                   "--epochs",
                                   "100000",
                                   "--early-stopping",
                                   "0",
                                   "--checkpoint-every",
                                   "1"};
  for (int round = 0; round < 8; ++round) {
    INFO("round " << round);
    Child child(args, w.dir.file("out"), err);
    REQUIRE(child.wait_for_stderr("checkpoint: wrote", 60));
    std::this_thread::sleep_for(std::chrono::milliseconds(7 * round));
    child.signal(SIGKILL);
    CHECK(child.wait().signal == SIGKILL);
    const recsys::TrainedModel m = recsys::load_model(w.model);
    CHECK(m.history.size() >= 1u);  // a checkpoint, not the quick model
    CHECK(m.users.size() == 3000u);
  }
  fs::remove(w.dir.file("out"));
  fs::remove(err);
  // A kill in the microseconds between naming the complete file and renaming
  // it leaves that copy; the next round's first write removes it, so only
  // the last round's can remain, and it is whole.
  const auto entries = w.dir.entries();
  CHECK(entries.front() == "m.model");
  CHECK(entries.size() <= 2u);
  for (std::size_t k = 1; k < entries.size(); ++k) {
    CHECK(entries[k].rfind("m.model.tmp.", 0) == 0);
    CHECK(recsys::load_model(w.dir.file(entries[k])).users.size() == 3000u);
  }
}

TEST_CASE("cli: Ctrl-C after an epoch stops after the batch and saves",
          "[hardening][cli][signals]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    WithModel w;
    Child child(long_training(w.model), w.dir.file("out"), w.dir.file("err"));
    REQUIRE(child.wait_for_stderr("epoch 1/1000", 120));
    child.signal(sig);
    const Result r = child.wait();
    CHECK(r.code == 128 + sig);  // saved, and a script can still tell it was stopped
    CHECK_THAT(r.err, Contains("stopping after this batch"));
    CHECK_THAT(r.err, Contains("interrupted: saving the model as it stands"));
    const recsys::TrainedModel m = recsys::load_model(w.model);
    CHECK(m.history.size() >= 1u);
    CHECK(m.history.size() < 1000u);
    CHECK(m.settings.dim == 128);
  }
}

// Dense Adam with small batches: the first epoch takes many seconds, so a
// signal surely lands inside it.
std::vector<std::string> slow_first_epoch(const std::string& model) {
  return {"train", data().ratings, "--model", model, "--objective", "rating", "--optimizer", "adam",
          "--dim", "256",          "--batch", "4",   "--threads",   "1",      "--epochs",    "5"};
}

TEST_CASE("cli: Ctrl-C before the first epoch ends writes nothing and exits 130",
          "[hardening][cli][signals]") {
  WithModel w;
  Child child(slow_first_epoch(w.model), w.dir.file("out"), w.dir.file("err"));
  REQUIRE(child.wait_for_stderr("training: preset", 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  child.signal(SIGINT);
  const Result r = child.wait();
  CHECK(r.code == 130);
  CHECK_THAT(r.err, Contains("interrupted before the first epoch finished: no model written"));
  CHECK(w.intact());
}

TEST_CASE("cli: a second Ctrl-C quits at once, the model file untouched",
          "[hardening][cli][signals]") {
  WithModel w;
  Child child(slow_first_epoch(w.model), w.dir.file("out"), w.dir.file("err"));
  REQUIRE(child.wait_for_stderr("training: preset", 60));
  child.signal(SIGINT);
  REQUIRE(child.wait_for_stderr("stopping after this batch", 10));
  child.signal(SIGINT);
  const Result r = child.wait();
  // The second signal usually kills it; if the batch ended first it exits 130.
  CHECK((r.signal == SIGINT || r.code == 130));
  CHECK(w.intact());
}

TEST_CASE("cli: --checkpoint-every writes a complete model during training", "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  const Result r =
      run_recsys("train " + q(d.ratings) + " --model " + q(w.model) +
                 " --dim 4 --epochs 5 --early-stopping 0 --threads 1 --checkpoint-every 2");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("checkpoint: wrote " + w.model + " (epoch 2)"));
  CHECK_THAT(r.err, Contains("checkpoint: wrote " + w.model + " (epoch 4)"));
  const recsys::TrainedModel m = recsys::load_model(w.model);
  CHECK(m.history.size() == 5u);
  CHECK(m.best_epoch == 5);
  CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});
}

}  // namespace cli_abuse
