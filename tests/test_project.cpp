// `recsys project` end to end on a model trained from generated data: the
// selection and CSV columns, the PCA coordinates against an independent SVD
// of the real trained embeddings, --movies, t-SNE, the SVG file, --png, and
// the error paths. On the shared MovieLens copy, where present: the published
// first three titles and 1,297 films with 20 ratings or more.
#include <sys/wait.h>

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "recsys/eval/best_rated.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/viz/pca.hpp"
#include "support.hpp"
#include "xml_check.hpp"

using Catch::Matchers::Contains;
using test_support::TempDir;

namespace {

using Result = test_support::CliResult;
Result run(const std::string& args, const std::string& env = "") {
  return test_support::run_cli(args, env);
}

std::string q(const std::string& s) { return "'" + s + "'"; }

bool have_program(const char* name) {
  return std::system(("command -v " + std::string(name) + " >/dev/null 2>&1").c_str()) == 0;
}

// RFC 4180 rows: quoted fields may hold commas and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        field += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field), field.clear();
    } else if (c == '\n') {
      row.push_back(field), field.clear();
      rows.push_back(row), row.clear();
    } else {
      field += c;
    }
    any = true;
  }
  if (any && (!field.empty() || !row.empty())) row.push_back(field), rows.push_back(row);
  return rows;
}

// One model for the whole file: synthetic data with planted genres, trained briefly.
struct Trained {
  TempDir dir;
  std::string model;
  recsys::TrainedModel m;
  Trained() {
    const std::string data = dir.file("data");
    const Result s = run(
        "synth --n-users 150 --n-movies 120 --n-ratings 6000 --genres 4 --dim 8 --seed 3 --out " +
        q(data));
    REQUIRE(s.code == 0);
    model = dir.file("m.model");
    const Result t =
        run("train " + q(data + "/ratings.csv") + " --epochs 15 -q --model " + q(model));
    INFO(t.err);
    REQUIRE(t.code == 0);
    m = recsys::load_model(model);
  }
};

const Trained& trained() {
  static const Trained t;
  return t;
}

Eigen::MatrixXd rows_of(const recsys::TrainedModel& m, const std::vector<std::uint32_t>& items) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(items.size()), m.tables.dim);
  for (std::size_t r = 0; r < items.size(); ++r)
    for (int k = 0; k < m.tables.dim; ++k)
      rows(static_cast<Eigen::Index>(r), k) = m.tables.item_row(items[r])[k];
  return rows;
}

// The CSV's coordinates against an independent computation: the SVD of the
// centred matrix (fit rows), projecting `selected`, equal up to the sign of each axis.
void check_against_svd(const std::vector<std::vector<std::string>>& csv, const Eigen::MatrixXd& fit,
                       const Eigen::MatrixXd& selected) {
  const Eigen::RowVectorXd mean = fit.colwise().mean();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(fit.rowwise() - mean, Eigen::ComputeThinV);
  const Eigen::MatrixXd expected = (selected.rowwise() - mean) * svd.matrixV().leftCols(2);
  REQUIRE(csv.size() == static_cast<std::size_t>(selected.rows()) + 1);
  for (int axis = 0; axis < 2; ++axis) {
    // The sign of the axis from the first row with a clear value.
    double sign = 0;
    for (Eigen::Index r = 0; r < expected.rows() && sign == 0; ++r)
      if (std::abs(expected(r, axis)) > 1e-3)
        sign = std::stod(csv[r + 1][4 + axis]) * expected(r, axis) > 0 ? 1 : -1;
    REQUIRE(sign != 0);
    for (Eigen::Index r = 0; r < expected.rows(); ++r)
      CHECK(std::stod(csv[r + 1][4 + axis]) == Approx(sign * expected(r, axis)).margin(2e-6));
  }
}

}  // namespace

TEST_CASE("project: the best-rated films as CSV, in rank order, with their counts and means",
          "[project][cli]") {
  const Trained& t = trained();
  const Result r = run("project --model " + q(t.model) + " --top 12 --min-ratings 30");
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto csv = parse_csv(r.out);
  REQUIRE(csv.size() == 13);
  CHECK(csv[0] ==
        std::vector<std::string>{"movieId", "title", "mean_rating", "n_ratings", "x", "y"});
  const auto ranking = recsys::rank_films(t.m.stats, t.m.items, recsys::RankBy::Mean, 30);
  REQUIRE(ranking.films.size() < 1000);  // no thousands separator in the log line below
  CHECK_THAT(r.err,
             Contains(std::to_string(ranking.films.size()) + " films have at least 30 ratings"));
  for (std::size_t k = 0; k < 12; ++k) {
    const std::uint32_t item = ranking.films[k].item;
    REQUIRE(csv[k + 1].size() == 6);
    CHECK(csv[k + 1][0] == t.m.items.token(item));
    CHECK(csv[k + 1][1] == t.m.titles[item]);
    CHECK(std::stod(csv[k + 1][2]) == Approx(t.m.stats.mean[item]).margin(5e-5));
    CHECK(std::stoul(csv[k + 1][3]) == t.m.stats.count[item]);
    CHECK(t.m.stats.count[item] >= 30);
    if (k > 0) CHECK(std::stod(csv[k + 1][2]) <= std::stod(csv[k][2]));
  }
  CHECK_THAT(r.err, Contains("PC1 explains"));
}

TEST_CASE("project: PCA of the real trained embeddings agrees with the SVD up to sign",
          "[project][cli][pca]") {
  const Trained& t = trained();
  const auto ranking = recsys::rank_films(t.m.stats, t.m.items, recsys::RankBy::Mean, 20);
  std::vector<std::uint32_t> top;
  for (std::size_t k = 0; k < 30 && k < ranking.films.size(); ++k)
    top.push_back(ranking.films[k].item);
  const Eigen::MatrixXd selected = rows_of(t.m, top);

  SECTION("axes fitted on the selected films (the default)") {
    const Result r = run("project --model " + q(t.model));
    REQUIRE(r.code == 0);
    check_against_svd(parse_csv(r.out), selected, selected);
  }
  SECTION("axes fitted on every film with training ratings") {
    const Result r = run("project --model " + q(t.model) + " --fit all");
    REQUIRE(r.code == 0);
    std::vector<std::uint32_t> all;
    std::vector<bool> trained_item(t.m.items.size(), false);
    for (const auto i : t.m.train_rated.items) trained_item[i] = true;
    for (std::uint32_t i = 0; i < t.m.items.size(); ++i)
      if (trained_item[i]) all.push_back(i);
    check_against_svd(parse_csv(r.out), rows_of(t.m, all), selected);
    CHECK_THAT(r.err, Contains("fitted on all " + std::to_string(all.size()) + " films"));
  }
}

TEST_CASE("project --ids maps a chosen set, in the given order", "[project][cli]") {
  const Trained& t = trained();
  const std::string a = t.m.items.token(5), b = t.m.items.token(2), c = t.m.items.token(9);
  const Result r =
      run("project --model " + q(t.model) + " --ids " + a + "," + b + "," + c + "," + a);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto csv = parse_csv(r.out);
  REQUIRE(csv.size() == 4);  // the repeated id once
  CHECK(csv[1][0] == a);
  CHECK(csv[2][0] == b);
  CHECK(csv[3][0] == c);

  const Result bad = run("project --model " + q(t.model) + " --ids " + a + ",nosuchfilm");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Contains("--ids: movieId 'nosuchfilm' is not in this model"));
  CHECK(bad.out.empty());
}

TEST_CASE("project --rank-by count and damped", "[project][cli]") {
  const Trained& t = trained();
  const Result count = run("project --model " + q(t.model) + " --rank-by count --top 5");
  REQUIRE(count.code == 0);
  const auto csv = parse_csv(count.out);
  REQUIRE(csv.size() == 6);
  for (std::size_t k = 2; k < csv.size(); ++k)
    CHECK(std::stoul(csv[k][3]) <= std::stoul(csv[k - 1][3]));
  const Result damped =
      run("project --model " + q(t.model) + " --rank-by damped --top 5 --min-ratings 10");
  REQUIRE(damped.code == 0);
  CHECK_THAT(damped.err, Contains("damped mean (m = 10"));
  const auto ranking = recsys::rank_films(t.m.stats, t.m.items, recsys::RankBy::Damped, 10);
  CHECK(parse_csv(damped.out)[1][0] == t.m.items.token(ranking.films[0].item));
}

TEST_CASE("project --svg writes a well-formed plot with every title once", "[project][cli][svg]") {
  const Trained& t = trained();
  TempDir out;
  const std::string svg = out.file("map.svg");
  const Result r =
      run("project --model " + q(t.model) + " --top 25 --color-by genre --svg " + q(svg));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const std::string text = test_support::read_text(svg);
  const auto doc = xml_check::parse(text);
  INFO(doc.error);
  REQUIRE(doc.ok());
  std::map<std::string, int> seen;
  for (const auto* e : doc.all("text")) ++seen[e->text];
  const auto csv = parse_csv(r.out);
  REQUIRE(csv.size() == 26);
  for (std::size_t k = 1; k < csv.size(); ++k) CHECK(seen[csv[k][1]] == 1);
  bool pc1 = false;
  for (const auto& [s, n] : seen) pc1 = pc1 || s.rfind("PC1 (", 0) == 0;
  CHECK(pc1);
  CHECK(text.find("Top 25 films by mean rating") != std::string::npos);
  CHECK(text.find(">Action</text>") != std::string::npos);  // the genre legend
  if (have_program("xmllint")) CHECK(std::system(("xmllint --noout " + q(svg)).c_str()) == 0);
}

TEST_CASE("project --method tsne reports its KL divergence", "[project][cli][tsne]") {
  const Trained& t = trained();
  const Result r =
      run("project --model " + q(t.model) + " --method tsne --top 40 --min-ratings 5 --seed 7");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(parse_csv(r.out).size() == 41);
  CHECK_THAT(r.err, Contains("final KL divergence"));
  CHECK_THAT(r.err, Contains("perplexity 13"));  // the default for 40 films: 39 / 3
  // Same seed, same map.
  CHECK(run("project --model " + q(t.model) + " --method tsne --top 40 --min-ratings 5 --seed 7")
            .out == r.out);
}

TEST_CASE("project --png: a PNG with rsvg-convert, a clear message without it", "[project][cli]") {
  const Trained& t = trained();
  TempDir out;
  const std::string png = out.file("map.png");
  // PATH without rsvg-convert: the message names the package, nothing is written.
  const Result missing =
      run("project --model " + q(t.model) + " --png " + q(png), "PATH=/nonexistent");
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Contains("rsvg-convert"));
  CHECK_THAT(missing.err, Contains("apt-get install librsvg2-bin"));
  CHECK_FALSE(std::filesystem::exists(png));
  if (!have_program("rsvg-convert")) {
    WARN("rsvg-convert not installed: PNG output not tested");
    return;
  }
  const Result r = run("project --model " + q(t.model) + " --png " + q(png));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto bytes = test_support::read_bytes(png);
  REQUIRE(bytes.size() > 8);
  CHECK(bytes[0] == 0x89);
  CHECK(bytes[1] == 'P');
  CHECK(bytes[2] == 'N');
  CHECK(bytes[3] == 'G');
}

TEST_CASE("project: option errors exit 2 with one line", "[project][cli]") {
  const Trained& t = trained();
  const std::string m = " --model " + q(t.model);
  const auto fails = [&](const std::string& args, const std::string& message) {
    const Result r = run("project" + m + " " + args);
    INFO(args << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Contains(message));
    CHECK(r.out.empty());
  };
  fails("--top 0", "--top must be at least 1");
  fails("--method tsne --fit all", "--fit applies to --method pca");
  fails("--method tsne --top 10 --perplexity 10", "--perplexity must be");
  fails("--min-ratings 100000", "no film has at least 100000 ratings");
  fails("--method umap", "--method");
  fails("--top 1", "PCA needs at least 2 points");
}

TEST_CASE("project on MovieLens latest-small: 1,297 films with 20 ratings, the published top three",
          "[project][shared][movielens]") {
  const std::string dir = RECSYS_SOURCE_DIR "/../shared/data/ml-latest-small";
  if (!std::filesystem::exists(dir + "/seed-split/train.csv")) {
    WARN("no shared MovieLens copy at " << dir << ": skipped");
    return;
  }
  TempDir out;
  const std::string model = out.file("ml.model");
  const Result t =
      run("train " + q(dir + "/seed-split/train.csv") + " --val " + q(dir + "/seed-split/val.csv") +
          " --movies " + q(dir + "/movies.csv") + " --epochs 1 -q --model " + q(model));
  REQUIRE(t.code == 0);
  const Result r = run("project --model " + q(model) + " --top 30 --min-ratings 20");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("1,297 films have at least 20 ratings"));
  const auto csv = parse_csv(r.out);
  REQUIRE(csv.size() == 31);
  CHECK(csv[1][1] == "Streetcar Named Desire, A (1951)");
  CHECK(csv[2][1] == "Shawshank Redemption, The (1994)");
  CHECK(csv[3][1] == "Sunset Blvd. (a.k.a. Sunset Boulevard) (1950)");
}
