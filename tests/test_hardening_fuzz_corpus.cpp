// Replays the fuzzers' committed seed corpus and every input that ever made
// them fail (fuzz/regressions/) through the same code the libFuzzer targets
// run, in whatever build this is: the normal one, the ASan/UBSan one. A
// regression is a crash, a sanitizer report, or an exception other than
// recsys::Error escaping.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "../fuzz/fuzz_targets.hpp"
// The fuzz binaries' recycled CSV line buffer, pre-filled with line ends:
// here too, so a parser read past the data shows up in this test.
#include "../fuzz/recycled_line_buffer.cpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(RECSYS_SOURCE_DIR) / "fuzz" / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

template <typename Target>
void replay(const std::string& target, Target run) {
  const auto files = inputs(target);
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    INFO(file.string());
    const auto bytes = test_support::read_bytes(file.string());
    CHECK_NOTHROW(run(bytes.data(), bytes.size()));
  }
}

}  // namespace

TEST_CASE("hardening: the CSV fuzz corpus and its regressions replay cleanly",
          "[hardening][fuzz]") {
  replay("ratings", recsys::fuzz::ratings_one_input);
}

TEST_CASE("hardening: the model file fuzz corpus and its regressions replay cleanly",
          "[hardening][fuzz]") {
  replay("model_file", recsys::fuzz::model_file_one_input);
  // The seeds are real models: they must load, not just fail cleanly.
  for (const auto& file : inputs("model_file")) {
    if (file.parent_path().filename() != "model_file" ||
        file.parent_path().parent_path().filename() != "corpus")
      continue;
    INFO(file.string());
    CHECK_NOTHROW(recsys::load_model(file.string()));
  }
}

TEST_CASE("hardening: a last line without a line end after a longer file (the first fuzz finding)",
          "[hardening][fuzz]") {
  // The parser checks the byte after the data for '\n'; with a reused buffer
  // that byte was stale and it read on past its 48 MiB buffer. The buffer
  // above starts full of '\n', so without the fix this reads out of bounds.
  test_support::TempDir dir;
  for (const std::string& csv : {std::string("userId,movieId,rating\n1,10,4"),
                                 std::string("userId,movieId,rating\r\n1,10,4\r"),
                                 std::string("userId,movieId,rating\n1,10,4\n\n2,20,3")}) {
    const std::string path = dir.write("r.csv", csv);
    recsys::IdMap users, items;
    recsys::Ratings rows;
    recsys::load_ratings(path, {}, users, items, rows);
    CHECK(rows.size() == static_cast<std::size_t>(1 + (csv.find("2,20") != std::string::npos)));
  }
  // And the fuzzer's own input.
  const auto crash = fs::path(RECSYS_SOURCE_DIR) /
                     "fuzz/regressions/ratings/crash-06743739d4b213bdf6773472406e1a5c70044cc9";
  REQUIRE(fs::exists(crash));
  const auto bytes = test_support::read_bytes(crash.string());
  CHECK_NOTHROW(recsys::fuzz::ratings_one_input(bytes.data(), bytes.size()));
}
