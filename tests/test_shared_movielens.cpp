// The real MovieLens "latest-small" ratings, where a shared copy exists beside
// the source tree; skipped (with a warning) elsewhere.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "recsys/data/dataset.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/data/scaler.hpp"

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
