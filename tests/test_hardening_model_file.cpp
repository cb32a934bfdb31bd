// Damaged model files through the binary: truncated at every section
// boundary, a flipped byte anywhere, a newer format, not a model, empty.
// Each must give exit code 2 and one line naming the file and saying what to
// do; test_model_file.cpp checks the parser itself throws.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "model_bytes.hpp"
#include "recsys/io/byte_io.hpp"
#include "recsys/io/model_file.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;
using test_support::error_from;
using test_support::TempDir;

namespace {

using namespace model_bytes;  // get_u32, put_u64, reseal, sections_of, ...

struct Trained {
  TempDir dir;
  std::string model;
  Bytes bytes;
};

// A small model trained by the binary, shared by the tests that only read it.
const Trained& trained() {
  static Trained* t = [] {
    auto* p = new Trained;
    std::string csv = "userId,movieId,rating\n";
    for (int u = 1; u <= 12; ++u)
      for (int m = 1; m <= 8; ++m)
        if ((u + m) % 3)
          csv += std::to_string(u) + "," + std::to_string(m) + "," +
                 std::to_string(1 + (u * m) % 5) + "\n";
    const std::string ratings = p->dir.write("ratings.csv", csv);
    p->dir.write("movies.csv", "movieId,title,genres\n1,\"One, The\",Drama\n2,Two,Comedy\n");
    p->model = p->dir.file("good.model");
    const Result r = run_recsys("train " + q(ratings) + " --model " + q(p->model) +
                                " --dim 3 --epochs 2 --batch 8 --threads 1 --quiet");
    if (r.code != 0) FAIL("train failed: " << r.err);
    p->bytes = test_support::read_bytes(p->model);
    return p;
  }();
  return *t;
}

Result info(const std::string& model) { return run_recsys("info --model " + q(model)); }

}  // namespace

TEST_CASE("hardening: a model truncated at every section boundary exits 2",
          "[hardening][model_file]") {
  const Bytes& good = trained().bytes;
  std::set<std::size_t> cuts = {0,
                                1,
                                4,
                                7,
                                8,
                                9,
                                12,
                                15,
                                16,
                                20,
                                23,
                                24,
                                25,
                                27,
                                28,
                                good.size() - 5,
                                good.size() - 4,
                                good.size() - 1};
  for (const auto& s : sections_of(good))
    for (const std::size_t at : {s.start, s.start + 2, s.start + 4, s.start + 8, s.body, s.body + 1,
                                 (s.body + s.end) / 2, s.end - 1})
      if (at < good.size()) cuts.insert(at);
  REQUIRE(cuts.size() > 40);
  TempDir dir;
  for (const std::size_t n : cuts) {
    INFO("first " << n << " of " << good.size() << " bytes");
    const std::string path = dir.file("cut.model");
    test_support::write_bytes(path,
                              Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
    const Result r = info(path);
    if (n == 0) {
      check_failure(r, 2, path + ": ", {"empty file", "recsys train"});
    } else if (n < 8) {
      check_failure(r, 2, path + ": ", {"not a recsys model file", "recsys train"});
    } else if (n < 28) {
      check_failure(r, 2, path + ": ",
                    {"model file is truncated (" + std::to_string(n) + " bytes)", "recsys train"});
    } else {
      check_failure(r, 2, path + ": ",
                    {"model file is truncated (its header says " + std::to_string(good.size()) +
                         " bytes, the file has " + std::to_string(n) + ")",
                     "copy it again or train it again"});
    }
    // topn reads the same way.
    CHECK(run_recsys("topn --user 1 --model " + q(path)).code == 2);
  }
}

TEST_CASE("hardening: a flipped byte anywhere is refused by the parser",
          "[hardening][model_file]") {
  const Bytes& good = trained().bytes;
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      Bytes bad = good;
      bad[pos] ^= mask;
      const auto e = error_from([&] { recsys::parse_model(bad, "x.model"); });
      INFO("byte " << pos << " of " << good.size() << " xor " << int(mask));
      REQUIRE(e);
      CHECK(e->exit_code() == 2);
      CHECK(e->file() == "x.model");
    }
  }
}

TEST_CASE("hardening: a flipped byte through the binary gives one line that says what to do",
          "[hardening][model_file]") {
  const Bytes& good = trained().bytes;
  TempDir dir;
  std::set<std::size_t> positions = {0, 7, 8, 11, 12, 15, 16, 23, good.size() - 4, good.size() - 1};
  for (std::size_t k = 24; k < good.size(); k += good.size() / 23) positions.insert(k);
  for (const std::size_t pos : positions) {
    Bytes bad = good;
    bad[pos] ^= 0x20;
    const std::string path = dir.file("flipped.model");
    test_support::write_bytes(path, bad);
    INFO("byte " << pos);
    const Result r = info(path);
    std::string says = "checksum mismatch";
    if (pos < 8)
      says = "not a recsys model file";
    else if (pos < 12)
      says = "format version";
    else if (pos < 16)
      says = "byte-order marker";
    else if (pos < 24)
      says = "the file has " + std::to_string(good.size());
    check_failure(r, 2, path + ": ", {says, "train"});
  }
}

TEST_CASE("hardening: a model from a newer format version names both versions",
          "[hardening][model_file]") {
  Bytes b = trained().bytes;
  put_u32(b, 8, recsys::kModelFormatVersion + 1);
  reseal(b);
  TempDir dir;
  const std::string path = dir.file("future.model");
  test_support::write_bytes(path, b);
  check_failure(
      info(path), 2, path + ": ",
      {"format version " + std::to_string(recsys::kModelFormatVersion + 1) + " is newer",
       "up to " + std::to_string(recsys::kModelFormatVersion), "upgrade recsys or retrain"});
  // Even when the rest of it is nothing this version understands.
  Bytes tiny(28, 0);
  std::copy_n("RECSYSMF", 8, tiny.begin());
  put_u32(tiny, 8, 99);
  test_support::write_bytes(path, tiny);
  check_failure(info(path), 2, path + ": ", {"format version 99 is newer"});
}

TEST_CASE("hardening: files that are not models", "[hardening][model_file]") {
  TempDir dir;
  const struct {
    const char* what;
    std::string contents;
    std::string says;
  } cases[] = {
      {"an empty file", "", "empty file, not a recsys model (run `recsys train` first)"},
      {"a ratings CSV", "userId,movieId,rating\n1,2,3\n", "not a recsys model file"},
      {"a PNG", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "not a recsys model file"},
      {"seven bytes of the magic", "RECSYSM", "not a recsys model file"},
      {"the magic alone", "RECSYSMF", "truncated (8 bytes)"},
      {"the magic and zeros", std::string("RECSYSMF") + std::string(40, '\0'), "format version 0"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string path = dir.write("not.model", c.contents);
    check_failure(info(path), 2, path + ": ", {c.says});
  }
  check_failure(info(dir.path().string()), 2, dir.path().string() + ": ", {"is a directory"});
  check_failure(info(dir.file("missing.model")), 2, dir.file("missing.model") + ": ",
                {"no such model file", "recsys train"});
}

TEST_CASE("hardening: a size field claiming exabytes is refused before allocating",
          "[hardening][model_file]") {
  Bytes b = trained().bytes;
  put_u64(b, 16, std::uint64_t{1} << 62);
  TempDir dir;
  const std::string path = dir.file("huge.model");
  test_support::write_bytes(path, b);
  check_failure(info(path), 2, path + ": ",
                {"truncated", "the file has " + std::to_string(b.size())});
  put_u64(b, 16, ~std::uint64_t{0});
  test_support::write_bytes(path, b);
  check_failure(info(path), 2, path + ": ", {"an impossible size"});
}

TEST_CASE("hardening: damage behind a valid checksum", "[hardening][model_file]") {
  const Bytes& good = trained().bytes;
  TempDir dir;
  const std::string path = dir.file("resealed.model");
  for (const auto& s : sections_of(good)) {
    if (s.tag != get_u32(Bytes{'T', 'A', 'B', 'L'}, 0)) continue;
    // The first user weight, after dim, n_users, n_items and the array's count.
    const std::size_t first_weight = s.body + 12 + 8;
    for (const float poison :
         {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      Bytes bad = good;
      put_u32(bad, first_weight, std::bit_cast<std::uint32_t>(poison));
      reseal(bad);
      test_support::write_bytes(path, bad);
      check_failure(info(path), 2, path + ": ",
                    {"a weight is not a finite number", "recsys train"});
    }
    Bytes bad = good;
    put_u32(bad, s.body, 0);  // dim 0
    reseal(bad);
    test_support::write_bytes(path, bad);
    check_failure(info(path), 2, path + ": ", {"model file is corrupt", "recsys train"});
  }
}

TEST_CASE("hardening: a model read from a pipe", "[hardening][model_file]") {
  const Trained& t = trained();
  const Result ok = hardening::shell("RECSYS info --model /dev/stdin < " + q(t.model));
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Contains("users / movies"));
  const Result cut =
      hardening::shell("head -c 100 " + q(t.model) + " | RECSYS info --model /dev/stdin");
  check_failure(cut, 2, "/dev/stdin: ", {"truncated"});
}
