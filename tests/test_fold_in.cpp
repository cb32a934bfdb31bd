// Folding a new user into a trained model: the choice objective's closed
// form is the minimum of the model's own loss (its gradient in the new
// user's vector vanishes, checked by central differences on choice_loss),
// the rating objective's fit beats the constant prediction on the user's
// own ratings, and a planted taste comes back as recommendations.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "planted.hpp"
#include "recsys/eval/recommender.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/train/choice_trainer.hpp"
#include "recsys/train/fold_in.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using recsys::RatedMovie;
using test_support::TempDir;

namespace {

// A model with random tables and the given objective: fold-in only reads
// the movie tables, the settings and the scaler.
recsys::TrainedModel random_model(recsys::Objective objective, std::uint32_t items, int dim) {
  recsys::TrainedModel m;
  m.settings = recsys::TrainConfig::from_preset("default", objective);
  recsys::Rng rng(7);
  m.tables = recsys::Embeddings::random(1, items, dim, 0.3, rng);
  for (std::uint32_t i = 0; i < items; ++i) m.tables.item_bias[i] = 0.01f * float(i % 7) - 0.03f;
  m.scaler.min = 0.5;
  m.scaler.max = 5;
  return m;
}

}  // namespace

TEST_CASE("a folded-in choice user is the minimum of the choice loss") {
  recsys::TrainedModel m = random_model(recsys::Objective::Choice, 40, 6);
  const std::vector<RatedMovie> rated = {{3, 5}, {11, 4}, {12, 1}, {30, 5}};
  const recsys::FoldedUser f = recsys::fold_in_user(m, rated);
  REQUIRE(f.vec.size() == 6u);
  CHECK(f.bias == 0.0f);

  recsys::Ratings rows;
  for (const auto& r : rated) rows.push(0, r.item, r.stars);
  const auto by_user = recsys::RatedItems::build(1, rows);
  const double alpha = m.settings.negative_weight, lambda = m.settings.weight_decay;
  auto loss_at = [&](const std::vector<float>& u) {
    std::copy(u.begin(), u.end(), m.tables.user_vec.begin());
    return recsys::choice_loss(m.tables, by_user, alpha, lambda);
  };
  const double at_min = loss_at(f.vec);
  for (int k = 0; k < 6; ++k) {
    std::vector<float> up = f.vec, down = f.vec;
    up[std::size_t(k)] += 0.01f;
    down[std::size_t(k)] -= 0.01f;
    const double lu = loss_at(up), ld = loss_at(down);
    INFO("coordinate " << k);
    CHECK(std::abs(lu - ld) / 0.02 < 1e-3 * (1 + at_min));  // gradient ~ 0
    CHECK(lu > at_min);
    CHECK(ld > at_min);
  }
}

TEST_CASE("a folded-in rating user fits the user's own ratings") {
  const recsys::TrainedModel m = random_model(recsys::Objective::Rating, 30, 8);
  const std::vector<RatedMovie> rated = {{1, 5}, {2, 4.5f}, {5, 1}, {9, 0.5f}, {20, 3}};
  const recsys::FoldedUser f = recsys::fold_in_user(m, rated);
  double fitted = 0, constant = 0, mean = 0;
  for (const auto& r : rated) mean += r.stars / double(rated.size());
  for (const auto& r : rated) {
    float z = f.bias + m.tables.item_bias[r.item];
    for (int k = 0; k < 8; ++k) z += f.vec[std::size_t(k)] * m.tables.item_row(r.item)[k];
    const double stars = m.scaler.to_stars(recsys::Embeddings::sigmoid(z));
    fitted += (stars - r.stars) * (stars - r.stars);
    constant += (mean - r.stars) * (mean - r.stars);
  }
  INFO("fitted " << fitted << " constant " << constant);
  CHECK(fitted < 0.05 * constant);
  // The same rows give the same user: no hidden randomness.
  const recsys::FoldedUser again = recsys::fold_in_user(m, rated);
  CHECK(again.vec == f.vec);
  CHECK(again.bias == f.bias);
}

TEST_CASE("fold-in refuses an empty list") {
  const recsys::TrainedModel m = random_model(recsys::Objective::Choice, 5, 2);
  CHECK(test_support::error_from([&] { recsys::fold_in_user(m, {}); }));
}

TEST_CASE("a new user's liked films are those rated at or above their own mean") {
  // Mean (5 + 4 + 1 + 3) / 4 = 3.25: films 7 and 2 only; 3 falls below.
  const std::vector<RatedMovie> rated = {{7, 5}, {2, 4}, {9, 1}, {3, 3}};
  CHECK(recsys::liked_movies(rated) == std::vector<std::uint32_t>{7, 2});
  // Every rating equal: every film is at the mean.
  const std::vector<RatedMovie> flat = {{1, 2}, {4, 2}};
  CHECK(recsys::liked_movies(flat) == std::vector<std::uint32_t>{1, 4});
  CHECK(recsys::liked_movies({}).empty());
}

TEST_CASE("a new user who rates five films of a planted genre gets that genre") {
  TempDir dir;
  const std::string model = dir.file("m.model");
  const auto r =
      hardening::run_recsys("train " + hardening::q(RECSYS_SOURCE_DIR "/data/ratings.csv") +
                            " --threads 1 -q --model " + hardening::q(model));
  INFO(r.err);
  REQUIRE(r.code == 0);
  const recsys::TrainedModel m = recsys::load_model(model);
  std::map<std::string, std::vector<std::uint32_t>> by_genre;  // single-genre films, file order
  for (std::uint32_t i = 0; i < m.items.size(); ++i)
    if (m.genres[i].find('|') == std::string::npos) by_genre[m.genres[i]].push_back(i);
  REQUIRE(by_genre.size() >= 5);
  int genres_found = 0, hits = 0, listed = 0, calibrated_hits = 0;
  std::set<std::vector<std::uint32_t>> lists;
  for (const auto& [genre, films] : by_genre) {
    std::vector<RatedMovie> rated;
    std::vector<std::uint32_t> seen;
    for (std::size_t k = 0; k < 5 && k < films.size(); ++k) {
      rated.push_back({films[k], 5});
      seen.push_back(films[k]);
    }
    const recsys::FoldedUser f = recsys::fold_in_user(m, rated);
    const auto recs = recsys::recommend_for(m, f.vec, f.bias, seen, 10);
    REQUIRE(recs.size() == 10u);
    int same = 0;
    std::vector<std::uint32_t> ids;
    for (const auto& rec : recs) {
      CHECK(std::find(seen.begin(), seen.end(), rec.item) == seen.end());
      same += m.genres[rec.item].find(genre) != std::string::npos;
      ids.push_back(rec.item);
    }
    // Calibrated toward the rated films' genre (topn --rated's default).
    for (const auto& rec : recsys::recommend_calibrated(m, f.vec, f.bias, seen, seen, 10, 0.8))
      calibrated_hits += m.genres[rec.item].find(genre) != std::string::npos;
    INFO(genre << ": " << same << " of 10");
    genres_found += same >= 5;
    hits += same;
    listed += 10;
    lists.insert(ids);
  }
  // A genre is about a sixth of the films (counting those that mix it with
  // another): lists drawn by chance would hold about 1 in 6. A short
  // profile's list still leans to the popular films (the choice model's item
  // bias), so the genre is a planted signal here, not the whole list.
  INFO(hits << " of " << listed << " listed films share the rated films' genre; " << genres_found
            << " genres with 5 or more of 10");
  CHECK(hits * 4 >= listed);
  INFO(calibrated_hits << " of " << listed << " when calibrated");
  CHECK(calibrated_hits * 2 >= listed);
  CHECK(calibrated_hits > hits);
  CHECK(lists.size() == by_genre.size());  // no two genres get the same list
}

TEST_CASE("recsys topn --rated lists a new user's films and refuses bad files") {
  TempDir dir;
  const std::string model = dir.file("m.model");
  using hardening::q;
  REQUIRE(hardening::run_recsys("train " + q(RECSYS_SOURCE_DIR "/data/ratings.csv") +
                                " --epochs 5 -q --model " + q(model))
              .code == 0);
  const std::string rated = dir.write("me.csv", "movieId,rating\n6,5\n20,4.5\n999999,5\n");
  const auto r =
      hardening::run_recsys("topn --rated " + q(rated) + " --format csv --model " + q(model));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(hardening::count_lines(r.out) == 11u);
  // rank,movieId,...: neither rated film is listed.
  CHECK(r.out.find(",6,") == std::string::npos);
  CHECK(r.out.find(",20,") == std::string::npos);
  CHECK_THAT(r.err, Catch::Matchers::Contains("1 of 3 movies are not in this model"));
  CHECK_THAT(r.err,
             Catch::Matchers::Contains("follows the genres of the rated movies (--calibrate 0.8"));
  // --calibrate 0: the fold-in's own order, as the library gives it.
  const auto plain = hardening::run_recsys("topn --rated " + q(rated) +
                                           " --calibrate 0 --format csv --model " + q(model));
  REQUIRE(plain.code == 0);
  CHECK(plain.err.find("--calibrate") == std::string::npos);
  const recsys::TrainedModel m = recsys::load_model(model);
  const std::vector<RatedMovie> known = {{*m.items.find("6"), 5}, {*m.items.find("20"), 4.5f}};
  const recsys::FoldedUser f = recsys::fold_in_user(m, known);
  const std::vector<std::uint32_t> seen = {known[0].item, known[1].item};
  std::size_t at = plain.out.find('\n') + 1;
  for (const auto& rec : recsys::recommend_for(m, f.vec, f.bias, seen, 10)) {
    const std::size_t end = plain.out.find('\n', at);
    const std::string line = plain.out.substr(at, end - at);
    CHECK(line.substr(line.find(',') + 1).rfind(m.items.token(rec.item) + ",", 0) == 0);
    at = end + 1;
  }

  hardening::check_failure(
      hardening::run_recsys("topn --rated " + q(dir.write("x.csv", "movieId,rating\n6,five\n")) +
                            " --model " + q(model)),
      2, dir.file("x.csv") + ":2:", {"rating 'five' is not a number"});
  hardening::check_failure(
      hardening::run_recsys("topn --rated " + q(dir.write("y.csv", "movieId,rating\n999999,5\n")) +
                            " --model " + q(model)),
      2, dir.file("y.csv") + ":", {"none of its 1 movies is in this model"});
  hardening::check_failure(
      hardening::run_recsys("topn --rated " + q(dir.write("z.csv", "movie,rating\n6,5\n")) +
                            " --model " + q(model)),
      2, dir.file("z.csv") + ":1:", {"missing column 'movieId'"});
  hardening::check_failure(
      hardening::run_recsys("topn --rated " + q(rated) + " --user 1 --model " + q(model)), 2, "",
      {"give one of --user ID, --rated FILE or --all-users"});
}
