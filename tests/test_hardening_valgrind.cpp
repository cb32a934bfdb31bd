// The end-to-end commands under Valgrind's memcheck: no invalid access, no
// use of uninitialised memory, no definite or indirect leak, on the success
// paths and on the error paths. Skipped in the sanitizer build (ASan and
// Valgrind do not mix; there LeakSanitizer checks every recsys process at
// exit instead) and where valgrind is not installed (scripts/test.sh
// --valgrind installs it; CI does).
#include <catch2/catch.hpp>
#include <string>

#include "test_hardening_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define RECSYS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RECSYS_UNDER_ASAN 1
#endif
#endif

using Catch::Matchers::Contains;
using hardening::q;
using hardening::Result;
using test_support::TempDir;

namespace {

bool valgrind_available() { return hardening::shell("valgrind --version").code == 0; }

// `recsys ARGS` under memcheck; memcheck's own findings turn into exit code 99.
Result under_valgrind(const std::string& args) {
  return hardening::shell(
      "valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect "
      "--errors-for-leak-kinds=definite,indirect --track-origins=yes RECSYS " +
      args);
}

}  // namespace

TEST_CASE("hardening: train, topn and info are Valgrind-clean, errors included",
          "[hardening][valgrind]") {
#ifdef RECSYS_UNDER_ASAN
  WARN("skipped: AddressSanitizer build (LeakSanitizer checks every recsys process here)");
  return;
#endif
  if (!valgrind_available()) {
    WARN("skipped: valgrind is not installed (scripts/test.sh --valgrind installs it)");
    return;
  }
  TempDir dir;
  std::string csv = "userId,movieId,rating,timestamp\n";
  for (int u = 1; u <= 30; ++u)
    for (int m = 1; m <= 12; ++m)
      if ((u * 7 + m) % 4)
        csv += std::to_string(u) + "," + std::to_string(100 + m) + "," +
               std::to_string(1 + (u + m) % 5) + ",1\n";
  csv += "1,101,5,2\n";  // a duplicate pair, for that code path
  const std::string ratings = dir.write("ratings.csv", csv);
  dir.write("movies.csv", "movieId,title,genres\n101,\"One, The\",Drama\n102,Two,Comedy\n");
  const std::string model = dir.file("m.model");

  const struct {
    std::string args;
    int code;
  } runs[] = {
      {"train " + q(ratings) + " --model " + q(model) +
           " --dim 4 --epochs 3 --batch 16 --threads 2 --format json",
       0},
      {"train " + q(ratings) + " --model " + q(model) +
           " --dim 4 --epochs 2 --optimizer adam --threads 2 --checkpoint-every 1",
       0},
      {"topn --user 3 --model " + q(model), 0},
      {"topn --user 3 --format json --model " + q(model), 0},
      {"info --model " + q(model), 0},
      {"topn --user nobody --model " + q(model), 2},
      {"train " + q(dir.write("bad.csv", "userId,movieId,rating\n1,2,x\n")) + " --model " +
           q(model),
       2},
      {"info --model " + q(ratings), 2},
      {"info --model " + q(dir.write("cut.model", test_support::read_text(model).substr(0, 100))),
       2},
      {"train " + q(ratings) + " --model /dev/full --dim 2 --epochs 1 --quiet", 2},
  };
  for (const auto& run : runs) {
    INFO(run.args);
    const Result r = under_valgrind(run.args);
    INFO(r.err);
    CHECK(r.code == run.code);
    CHECK(r.err.find("==") == std::string::npos);  // no memcheck report lines
  }
  // A reader that leaves early.
  const Result pipe = hardening::shell(
      "valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect "
      "--errors-for-leak-kinds=definite,indirect RECSYS info --model " +
      q(model) + " | head -c 1");
  CHECK(pipe.err.find("==") == std::string::npos);
}
