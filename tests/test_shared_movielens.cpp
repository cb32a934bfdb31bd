// The real MovieLens "latest-small" ratings, where a shared copy exists beside
// the source tree; skipped (with a warning) elsewhere.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "recsys/data/dataset.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"
#include "recsys/eval/popularity.hpp"
#include "recsys/eval/ranking_metrics.hpp"

namespace {
const std::string kDir = RECSYS_SOURCE_DIR "/../shared/data/ml-latest-small";

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}
}  // namespace

TEST_CASE("MovieLens latest-small loads with its published counts", "[shared][movielens]") {
  const std::string ratings = kDir + "/ratings.csv";
  if (!exists(ratings)) {
    WARN("SKIPPED: " << ratings << " not found; the MovieLens check did not run");
    SUCCEED("skipped");
    return;
  }
  recsys::IdMap users, items;
  recsys::Ratings rows;
  recsys::load_ratings(ratings, {}, users, items, rows);
  CHECK(rows.size() == 100836u);
  CHECK(users.size() == 610u);
  CHECK(items.size() == 9724u);
  // First row of the file: 1,1,4.0 -> user "1" and movie "1" are index 0.
  CHECK(users.token(0) == "1");
  CHECK(items.token(0) == "1");
  CHECK(rows.stars[0] == 4.0f);
  const auto scaler = recsys::Scaler::fit(rows, recsys::Ratings{}, ratings);
  CHECK(scaler.min == 0.5);
  CHECK(scaler.max == 5.0);

  // The whole dataset: 10% holdout is ceil(10083.6) = 10084 rows; titles from movies.csv.
  recsys::DatasetOptions o;
  o.ratings_path = ratings;
  const recsys::Dataset d = recsys::load_dataset(o, {0.1, 42});
  CHECK(d.val.size() == 10084u);
  CHECK(d.train.size() == 100836u - 10084u);
  CHECK(d.scaler.min == 0.5);
  CHECK(d.scaler.max == 5.0);
  if (exists(kDir + "/movies.csv")) {
    CHECK(d.untitled_items == 0u);
    CHECK(d.titles[*d.items.find("1")] == "Toy Story (1995)");
  }
}

TEST_CASE("the most-popular yardstick on the seed split", "[shared][movielens][popularity]") {
  const std::string train = kDir + "/seed-split/train.csv", val = kDir + "/seed-split/val.csv";
  if (!exists(train) || !exists(val)) {
    WARN("SKIPPED: " << kDir << "/seed-split not found; the popularity check did not run");
    SUCCEED("skipped");
    return;
  }
  recsys::DatasetOptions o;
  o.ratings_path = train;
  o.val_path = val;
  const recsys::Dataset d = recsys::load_dataset(o);
  const std::size_t n_users = d.users.size();
  const auto train_rated = recsys::RatedItems::build(n_users, d.train);
  const auto val_rated = recsys::RatedItems::build(n_users, d.val);
  // Ranking lists: training movies left out, validation movies kept.
  const recsys::TopNRequest ranked{10, {&train_rated, &val_rated}, &val_rated};
  const auto lists = recsys::popularity_lists(recsys::training_counts(train_rated, d.items.size()),
                                              n_users, {ranked});
  const auto r = recsys::ranking_metrics(lists[0], recsys::relevant_items(d.val, n_users, 4.0));
  // Recomputed from the CSV files in numpy with ties by first appearance
  // (0.1175 with ties to the lower movieId).
  CHECK(r.users == 560);
  CHECK(r.ndcg == Approx(0.116954).margin(1e-6));
  CHECK(r.precision == Approx(0.076964).margin(1e-6));
  CHECK(r.recall == Approx(0.106909).margin(1e-6));
  CHECK(r.hit_rate == Approx(0.423214).margin(1e-6));
  CHECK(r.map == Approx(0.062598).margin(1e-6));
}
