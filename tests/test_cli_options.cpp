// The command line's manners: output paths checked before any work.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using test_support::CliResult;
using test_support::run_cli;
using test_support::TempDir;

namespace {

std::string q(const std::string& path) { return "'" + path + "'"; }

const std::string kSample = RECSYS_SOURCE_DIR "/data/ratings.csv";

// A model of the committed sample, trained for one epoch.
struct Sample {
  TempDir dir;
  std::string model = dir.file("sample.model");
  Sample() {
    const CliResult r = run_cli("train " + q(kSample) + " --epochs 1 --model " + q(model));
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  std::string m() const { return " --model " + q(model); }
};

const Sample& sample() {
  static const Sample s;
  return s;
}

void fails(const CliResult& r, const std::string& err) {
  CHECK(r.err == err);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
}

// The path as a FIFO; the caller's TempDir removes it.
std::string make_fifo(const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
  return path;
}

bool is_fifo(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace

// ---------------------------------------------------------------------------
// Output paths before any work

TEST_CASE("cli: project checks --svg and --png before loading or printing anything",
          "[cli][outputs]") {
  const Sample& s = sample();
  TempDir dir;
  const std::string missing = dir.file("nodir/x.svg");
  const std::string reason = ": cannot write: No such file or directory (the directory '" +
                             dir.file("nodir") + "' does not exist; create it first)\n";
  fails(run_cli("project --svg " + q(missing) + s.m()), "recsys: " + missing + reason);
  // Before the model is read: a missing model would be the error otherwise.
  fails(run_cli("project --svg " + q(missing) + " --model " + q(dir.file("absent.model"))),
        "recsys: " + missing + reason);
  const std::string fifo = make_fifo(dir, "plot.svg");
  fails(run_cli("project --svg " + q(fifo) + s.m(), "timeout 60"),
        "recsys: " + fifo +
            ": cannot write: is a FIFO (named pipe), not a regular file; give a "
            "file name\n");
  CHECK(is_fifo(fifo));
  fails(run_cli("project --svg " + q(dir.path().string()) + s.m()),
        "recsys: " + dir.path().string() + ": cannot write: is a directory; give a file name\n");
  // --png: refused before any work, for its path or (without it) for rsvg-convert.
  const CliResult png = run_cli("project --png " + q(dir.file("nodir/x.png")) + s.m());
  CHECK(png.code == 2);
  CHECK(png.out.empty());
  CHECK(std::count(png.err.begin(), png.err.end(), '\n') == 1);
  CHECK_THAT(png.err, Contains("nodir/x.png: cannot write") || Contains("--png needs"));
}

TEST_CASE("cli: train refuses a FIFO or a missing directory as --model before training",
          "[cli][outputs]") {
  TempDir dir;
  const std::string fifo = make_fifo(dir, "m.model");
  fails(run_cli("train " + q(kSample) + " --epochs 1 --model " + q(fifo), "timeout 60"),
        "recsys: " + fifo +
            ": cannot write: is a FIFO (named pipe), not a regular file; give a "
            "file name\n");
  CHECK(is_fifo(fifo));
  const std::string missing = dir.file("nodir/m.model");
  fails(run_cli("train " + q(kSample) + " --epochs 1 --model " + q(missing)),
        "recsys: " + missing + ": cannot write: No such file or directory (the directory '" +
            dir.file("nodir") + "' does not exist; create it first)\n");
}

TEST_CASE("cli: synth checks its three files before generating", "[cli][outputs][synth]") {
  TempDir dir;
  const std::string fifo = make_fifo(dir, "ratings.csv");
  fails(run_cli("synth --users 20 --movies 20 --ratings 100 --out " + q(dir.path().string()),
                "timeout 60"),
        "recsys: " + fifo +
            ": cannot write: is a FIFO (named pipe), not a regular file; give a "
            "file name\n");
  CHECK(is_fifo(fifo));
  CHECK(dir.entries() == std::vector<std::string>{"ratings.csv"});
}
