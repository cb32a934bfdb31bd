// metrics --per-user FILE through the recsys binary: each user's figures by
// hand on the hand-worked model (metrics_model.hpp), their means against the
// overall figures on a trained model, and bad paths that leave nothing.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "metrics_model.hpp"
#include "recsys/io/model_file.hpp"
#include "support.hpp"

using Catch::Matchers::Contains;
using test_support::CliResult;
using test_support::run_cli;
using test_support::TempDir;

namespace {

std::string q(const std::string& path) { return "'" + path + "'"; }

// The number after "name": in a flat JSON object; NaN when the key is absent or null.
double json_number(const std::string& json, const std::string& name) {
  const auto at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return std::nan("");
  const std::string rest = json.substr(at + name.size() + 3);
  if (rest.rfind("null", 0) == 0) return std::nan("");
  return std::stod(rest);
}

// A per-user file read back (its ids hold no comma): fields by column name,
// an empty field as NaN.
struct PerUser {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;

  explicit PerUser(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);
    header = split(line);
    while (std::getline(lines, line)) {
      const auto fields = split(line);
      REQUIRE(fields.size() == header.size());
      std::map<std::string, std::string> row;
      for (std::size_t c = 0; c < fields.size(); ++c) row[header[c]] = fields[c];
      rows.push_back(row);
    }
  }
  static std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out(1);
    for (const char c : line) {
      if (c == ',')
        out.emplace_back();
      else
        out.back().push_back(c);
    }
    return out;
  }
  double value(std::size_t row, const std::string& column) const {
    const std::string& s = rows.at(row).at(column);
    return s.empty() ? std::nan("") : std::stod(s);
  }
  // pandas' mean: empty fields skipped; weighted by another column when given.
  double mean(const std::string& column, const std::string& weight = "") const {
    double sum = 0, total = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double x = value(r, column);
      if (std::isnan(x)) continue;
      const double w = weight.empty() ? 1.0 : value(r, weight);
      sum += w * x;
      total += w;
    }
    return sum / total;
  }
  std::size_t filled(const std::string& column) const {
    std::size_t n = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) n += !std::isnan(value(r, column));
    return n;
  }
  double sum(const std::string& column) const {
    double s = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) s += value(r, column);
    return s;
  }
};

const std::vector<std::string> kColumns = {
    "userId",         "held_out_rows", "relevant",  "list_length",
    "precision_at_k", "recall_at_k",   "ndcg_at_k", "hit_at_k",
    "ap_at_k",        "diversity",     "novelty",   "mean_rating_of_recommended",
    "mean_popularity"};

// Every mean of the file against the figure `metrics --format json` printed.
void check_means(const PerUser& p, const std::string& json) {
  CHECK(p.rows.size() == json_number(json, "users"));
  CHECK(p.sum("held_out_rows") == json_number(json, "eval_rows"));
  CHECK(p.filled("ndcg_at_k") == json_number(json, "ranking_users"));
  CHECK(p.filled("diversity") == json_number(json, "diversity_users"));
  const double eps = 1e-12;
  CHECK(p.mean("precision_at_k") == Approx(json_number(json, "precision_at_k")).epsilon(eps));
  CHECK(p.mean("recall_at_k") == Approx(json_number(json, "recall_at_k")).epsilon(eps));
  CHECK(p.mean("ndcg_at_k") == Approx(json_number(json, "ndcg_at_k")).epsilon(eps));
  CHECK(p.mean("hit_at_k") == Approx(json_number(json, "hit_rate_at_k")).epsilon(eps));
  CHECK(p.mean("ap_at_k") == Approx(json_number(json, "map_at_k")).epsilon(eps));
  CHECK(p.mean("diversity") == Approx(json_number(json, "diversity")).epsilon(eps));
  CHECK(p.mean("mean_rating_of_recommended") ==
        Approx(json_number(json, "mean_rating_of_recommended")).epsilon(eps));
  CHECK(p.mean("novelty", "list_length") == Approx(json_number(json, "novelty")).epsilon(eps));
  CHECK(p.mean("mean_popularity", "list_length") ==
        Approx(json_number(json, "mean_popularity")).epsilon(eps));
}

}  // namespace

TEST_CASE("metrics --per-user: each user's figures of the hand model", "[cli][metrics][per-user]") {
  TempDir dir;
  const std::string model = dir.file("hand.model");
  recsys::save_model(metrics_test::hand_model(), model);
  const std::string file = dir.file("users.csv");
  const CliResult r =
      run_cli("metrics --top 3 --format json --per-user " + q(file) + " --model " + q(model));
  REQUIRE(r.code == 0);
  const PerUser p(test_support::read_text(file));
  CHECK(p.header == kColumns);
  REQUIRE(p.rows.size() == 3);
  CHECK(p.rows[0].at("userId") == "u0");
  CHECK(p.rows[1].at("userId") == "u1");
  CHECK(p.rows[2].at("userId") == "u2");
  // Held-out (validation) rows: u0 i1 5 stars and i3 2 (one relevant), u2 i3 4.5, none for u1.
  CHECK(p.value(0, "held_out_rows") == 2);
  CHECK(p.value(1, "held_out_rows") == 0);
  CHECK(p.value(2, "held_out_rows") == 1);
  CHECK(p.value(0, "relevant") == 1);
  CHECK(p.value(1, "relevant") == 0);
  CHECK(p.value(2, "relevant") == 1);
  // Ranking lists u0 [i2, i1, i3]: i1 at rank 2; u2 [i3, i4]: i3 at rank 1.
  CHECK(p.value(0, "precision_at_k") == Approx(1.0 / 3.0));
  CHECK(p.value(0, "recall_at_k") == 1);
  CHECK(p.value(0, "ndcg_at_k") == Approx(1 / std::log2(3.0)));
  CHECK(p.value(0, "hit_at_k") == 1);
  CHECK(p.value(0, "ap_at_k") == Approx(0.5));
  CHECK(p.value(2, "ndcg_at_k") == 1);
  CHECK(p.value(2, "ap_at_k") == 1);
  for (const char* column : {"precision_at_k", "recall_at_k", "ndcg_at_k", "hit_at_k", "ap_at_k"})
    CHECK(p.rows[1].at(column).empty());
  // Shown lists [i2, i4], [i3, i2, i0], [i4]; counts 2, 3, 2, 2, 1 over the 3 users.
  CHECK(p.value(0, "list_length") == 2);
  CHECK(p.value(1, "list_length") == 3);
  CHECK(p.value(2, "list_length") == 1);
  CHECK(p.value(0, "diversity") == Approx(1 + 1 / std::sqrt(2.0)));
  CHECK(p.value(1, "diversity") == Approx(1 - std::sqrt(2.0) / 6));
  CHECK(p.rows[2].at("diversity").empty());
  CHECK(p.value(0, "novelty") == Approx(std::log2(3.0) - 0.5));
  CHECK(p.value(1, "novelty") == Approx(std::log2(3.0) - 1));
  CHECK(p.value(2, "novelty") == Approx(std::log2(3.0)));
  CHECK(p.value(1, "mean_rating_of_recommended") == Approx(41.0 / 12.0));
  CHECK(p.value(2, "mean_popularity") == 1);
  check_means(p, r.out);
  // The plain mean of novelty would not do: the lists differ in length.
  CHECK(p.mean("novelty") == Approx(std::log2(3.0) - 0.5));
  CHECK(json_number(r.out, "novelty") == Approx(std::log2(3.0) - 2.0 / 3.0));
}

TEST_CASE("metrics --per-user: the means are the overall figures of a trained model",
          "[cli][metrics][per-user]") {
  TempDir dir;
  const std::string sample = RECSYS_SOURCE_DIR "/data/ratings.csv";
  const std::string model = dir.file("sample.model");
  const CliResult trained =
      run_cli("train " + q(sample) + " --epochs 2 --threads 1 --quiet --model " + q(model));
  REQUIRE(trained.code == 0);
  const std::string test =
      dir.write("test.csv", "userId,movieId,rating\n1,14,5\n1,2,4\n7,14,2\n7,3,4.5\n9,5,4\n");
  const std::vector<std::string> variants = {"", " --include-rated", " --top 25 --relevant 3.5",
                                             " --ratings " + q(test)};
  for (const std::string& args : variants) {
    INFO(args);
    const std::string file = dir.file("users.csv");
    const CliResult r =
        run_cli("metrics --format json --per-user " + q(file) + args + " --model " + q(model));
    REQUIRE(r.code == 0);
    const PerUser p(test_support::read_text(file));
    CHECK(p.header == kColumns);
    CHECK(p.rows.size() == 300);
    check_means(p, r.out);
  }
}

TEST_CASE("metrics --per-user: the file has every column whatever figures are selected",
          "[cli][metrics][per-user]") {
  TempDir dir;
  const std::string model = dir.file("hand.model");
  recsys::save_model(metrics_test::hand_model(), model);
  const std::string file = dir.file("users.csv");
  const CliResult r = run_cli("metrics --top 3 --accuracy --format json --per-user " + q(file) +
                              " --model " + q(model));
  REQUIRE(r.code == 0);
  CHECK(r.out.find("ndcg_at_k") == std::string::npos);
  const PerUser p(test_support::read_text(file));
  CHECK(p.header == kColumns);
  CHECK(p.value(2, "ndcg_at_k") == 1);
  CHECK(p.value(0, "diversity") == Approx(1 + 1 / std::sqrt(2.0)));
}

TEST_CASE("metrics --per-user: a bad path fails before any work and leaves nothing",
          "[cli][metrics][per-user]") {
  TempDir dir;
  const std::string model = dir.file("hand.model");
  recsys::save_model(metrics_test::hand_model(), model);
  const std::string m = " --model " + q(model);

  const std::string missing_dir = dir.file("no-such-dir/users.csv");
  const CliResult no_dir = run_cli("metrics --per-user " + q(missing_dir) + m);
  CHECK(no_dir.code == 2);
  CHECK(no_dir.out.empty());
  CHECK_THAT(no_dir.err, Contains("recsys: " + missing_dir + ": cannot write"));

  // Checked before the model is read: the missing model is not what is reported.
  const CliResult first =
      run_cli("metrics --per-user " + q(missing_dir) + " --model " + q(dir.file("absent.model")));
  CHECK(first.code == 2);
  CHECK_THAT(first.err, Contains(missing_dir));

  const CliResult is_dir = run_cli("metrics --per-user " + q(dir.path().string()) + m);
  CHECK(is_dir.code == 2);
  CHECK(is_dir.out.empty());
  CHECK_THAT(is_dir.err, Contains("is a directory"));

  // A run that fails later (a missing --ratings file) writes no per-user file.
  const CliResult later = run_cli("metrics --per-user " + q(dir.file("users.csv")) + " --ratings " +
                                  q(dir.file("none.csv")) + m);
  CHECK(later.code == 2);
  CHECK(later.out.empty());

  std::vector<std::string> left = dir.entries();
  CHECK(left == std::vector<std::string>{"hand.model"});
}
