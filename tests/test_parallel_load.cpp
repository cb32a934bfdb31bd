// A ratings file parsed by several threads, each a byte range of whole lines,
// must give exactly what one thread gives: the same rows in the same order,
// ids numbered in order of first appearance, timestamps, and for a bad file
// the same error (file, line and message). parallel_above_bytes = 0 splits
// even these small files, into as many ranges as threads.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "recsys/data/ratings.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

struct Loaded {
  recsys::IdMap users, items;
  recsys::Ratings rows;
  std::vector<std::int64_t> times;
  std::string error;  // "file:line: message" when the load failed
};

Loaded load(const std::string& path, int threads, bool with_times) {
  recsys::LoadOptions o;
  o.threads = threads;
  o.parallel_above_bytes = 0;
  Loaded l;
  try {
    if (with_times)
      recsys::load_ratings(path, o, l.users, l.items, l.rows, l.times);
    else
      recsys::load_ratings(path, o, l.users, l.items, l.rows);
  } catch (const recsys::Error& e) {
    l.error = e.file() + ":" + std::to_string(e.line()) + ": " + e.message();
  }
  return l;
}

void check_same(const std::string& path, bool with_times = false) {
  const Loaded one = load(path, 1, with_times);
  for (const int threads : {2, 3, 5}) {
    INFO(path << ", " << threads << " threads");
    const Loaded many = load(path, threads, with_times);
    CHECK(many.error == one.error);
    if (!one.error.empty()) continue;
    CHECK(many.users.tokens() == one.users.tokens());
    CHECK(many.items.tokens() == one.items.tokens());
    CHECK(many.rows.user == one.rows.user);
    CHECK(many.rows.item == one.rows.item);
    CHECK(many.rows.stars == one.rows.stars);
    CHECK(many.times == one.times);
  }
}

// A file of n rows whose ids repeat and first appear all along the file,
// with blank lines, CRLF line ends and quoted fields here and there.
std::string random_file(std::size_t n, std::uint64_t seed) {
  recsys::Rng rng(seed);
  std::string csv = "userId,movieId,rating,timestamp\n";
  for (std::size_t k = 0; k < n; ++k) {
    const auto user = rng.next() % (10 + k / 3);
    const auto item = rng.next() % 50;
    csv += (rng.next() % 7 == 0 ? "\"u" + std::to_string(user) + "\"" : std::to_string(user)) +
           "," + std::to_string(item) + "," + std::to_string(1 + rng.next() % 5) + ".5," +
           std::to_string(1000 + k) + (rng.next() % 5 == 0 ? "\r\n" : "\n");
    if (rng.next() % 11 == 0) csv += "\n";
  }
  return csv;
}

}  // namespace

TEST_CASE("parallel load: the same rows, ids and timestamps as one thread", "[ratings][parallel]") {
  test_support::TempDir dir;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const std::string path = dir.write("r.csv", random_file(200 + 37 * seed, seed));
    check_same(path, false);
    check_same(path, true);
  }
  // The shipped sample, and tiny files: fewer lines than threads, no last line end.
  check_same(RECSYS_SOURCE_DIR "/data/ratings.csv");
  check_same(dir.write("one.csv", "userId,movieId,rating\n1,2,3"));
  check_same(dir.write("two.csv", "userId,movieId,rating\n1,2,3\n4,5,1\n"));
  check_same(dir.write("empty.csv", "userId,movieId,rating\n"));
  // A blank first line, which the reader skips before the header: read by one thread.
  check_same(dir.write("lead.csv", "\nuserId,movieId,rating\n1,2,3\n4,5,1\n6,7,2\n8,9,4\n"));
  check_same(dir.write("lead2.csv", " \r\nuserId,movieId,rating\r\n1,2,3\r\n4,5,1\r\n6,7,2\r\n"));
}

TEST_CASE("parallel load: a bad row is reported at the same line as with one thread",
          "[ratings][parallel][hardening]") {
  test_support::TempDir dir;
  const std::string good = random_file(300, 9);
  // The bad row near the start, in the middle and at the end, so that it
  // falls in the first, a middle and the last range.
  for (const double where : {0.05, 0.5, 0.97}) {
    std::string csv = good;
    std::size_t at = csv.find('\n', static_cast<std::size_t>(double(csv.size()) * where)) + 1;
    for (const std::string bad :
         {"7,8,abc,9\n", "7,,3,9\n", "7,8,3\n", "7,8,3,9,10\n", "\"7,8,3,9\n", "7,8,3,x\n"}) {
      std::string broken = csv;
      broken.insert(at, bad);
      INFO("bad row " << bad << " at " << where);
      const std::string path = dir.write("bad.csv", broken);
      REQUIRE_FALSE(load(path, 1, true).error.empty());
      check_same(path, true);
      check_same(path, false);
    }
  }
  // Two bad rows in different ranges: the first in the file is the one reported.
  std::string two = good;
  two.insert(two.find('\n', two.size() * 3 / 4) + 1, "1,2,late,3\n");
  two.insert(two.find('\n', two.size() / 10) + 1, "1,2,early,3\n");
  const std::string path = dir.write("two.csv", two);
  const Loaded many = load(path, 3, false);
  CHECK_THAT(many.error, Catch::Matchers::Contains("'early'"));
  check_same(path);
}

TEST_CASE("parallel load: a file over the default 8 MiB threshold, two threads against one",
          "[ratings][parallel]") {
  test_support::TempDir dir;
  std::string csv = "userId,movieId,rating\n";
  for (std::size_t k = 0; csv.size() < (std::size_t(8) << 20) + 100; ++k)
    csv += std::to_string(k % 977) + "," + std::to_string(k % 1009) + ",3.5\n";
  const std::string path = dir.write("big.csv", csv);
  recsys::LoadOptions o;
  o.threads = 2;
  Loaded two, one;
  recsys::load_ratings(path, o, two.users, two.items, two.rows);
  o.threads = 1;
  recsys::load_ratings(path, o, one.users, one.items, one.rows);
  CHECK(two.rows.user == one.rows.user);
  CHECK(two.rows.item == one.rows.item);
  CHECK(two.users.tokens() == one.users.tokens());
}

TEST_CASE("parallel load: every fuzz corpus file loads or fails as with one thread",
          "[ratings][parallel][hardening]") {
  for (const char* folder : {"/fuzz/corpus/ratings", "/fuzz/regressions/ratings"})
    for (const auto& file : fs::directory_iterator(std::string(RECSYS_SOURCE_DIR) + folder))
      check_same(file.path().string());
}
