// Dividing one ratings file into training and validation rows: the random
// holdout.
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <vector>

#include "recsys/data/split.hpp"

using recsys::Ratings;

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
  CHECK_FALSE((v1.stars.front() == 0.0f && v1.stars.back() == 39.0f));
  CHECK_FALSE((v1.stars.front() == 160.0f && v1.stars.back() == 199.0f));
}
