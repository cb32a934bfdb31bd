// The command line's manners: one meaning per option name (old spellings
// still work, with one warning line), "did you mean" for mistyped names,
// output paths checked before any work, and no colour under NO_COLOR.
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "../src/cli/suggest.hpp"
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
  fails(run_cli("synth --n-users 20 --n-movies 20 --n-ratings 100 --out " + q(dir.path().string()),
                "timeout 60"),
        "recsys: " + fifo +
            ": cannot write: is a FIFO (named pipe), not a regular file; give a "
            "file name\n");
  CHECK(is_fifo(fifo));
  CHECK(dir.entries() == std::vector<std::string>{"ratings.csv"});
}

// ---------------------------------------------------------------------------
// One meaning per option name

TEST_CASE("cli: the design card's commands work verbatim", "[cli][options]") {
  TempDir dir;
  std::filesystem::copy_file(kSample, dir.file("ratings.csv"));
  const std::string in_dir = "cd " + q(dir.path().string()) + " &&";
  const CliResult train = run_cli("train ratings.csv", in_dir);
  INFO(train.err);
  REQUIRE(train.code == 0);
  CHECK(std::filesystem::exists(dir.file("recsys.model")));
  const CliResult topn = run_cli("topn --user 42", in_dir);
  CHECK(topn.code == 0);
  CHECK_THAT(topn.out, StartsWith("rank"));
  const CliResult metrics = run_cli("metrics --diversity --novelty", in_dir);
  CHECK(metrics.code == 0);
  CHECK_THAT(metrics.out, Contains("diversity") && Contains("novelty") && !Contains("rmse"));
  const CliResult project = run_cli("project --top 30 --min-ratings 20", in_dir);
  CHECK(project.code == 0);
  CHECK_THAT(project.out, StartsWith("movieId,title,mean_rating,n_ratings,x,y\n"));
  CHECK(std::count(project.out.begin(), project.out.end(), '\n') == 31);
  for (const CliResult* r : {&topn, &metrics, &project})
    CHECK(r->err.find("deprecated") == std::string::npos);
}

TEST_CASE("cli: -n,--top is the list length in topn, similar, metrics and project",
          "[cli][options]") {
  const Sample& s = sample();
  const struct {
    std::string args;
    std::size_t lines;  // of stdout with a list of 3
  } commands[] = {
      {"topn --user 42 --format csv", 4},
      {"similar --movie 14 --format csv", 4},
      {"project --min-ratings 5", 4},
  };
  for (const auto& c : commands) {
    INFO(c.args);
    const CliResult top = run_cli(c.args + " --top 3" + s.m());
    const CliResult n = run_cli(c.args + " -n 3" + s.m());
    CHECK(top.code == 0);
    CHECK(static_cast<std::size_t>(std::count(top.out.begin(), top.out.end(), '\n')) == c.lines);
    CHECK(n.out == top.out);
    fails(run_cli(c.args + " -n 0" + s.m()), "recsys: -n must be at least 1\n");
    fails(run_cli(c.args + " --top 0" + s.m()), "recsys: --top must be at least 1\n");
  }
  const CliResult metrics = run_cli("metrics --top 3 --format json" + s.m());
  CHECK_THAT(metrics.out, StartsWith("{\"k\":3,"));
  CHECK(run_cli("metrics -n 3 --format json" + s.m()).out == metrics.out);
}

TEST_CASE("cli: metrics -k still works, with one warning line", "[cli][options]") {
  const Sample& s = sample();
  const CliResult top = run_cli("metrics --top 5" + s.m());
  const CliResult k = run_cli("metrics -k 5" + s.m());
  REQUIRE(k.code == 0);
  CHECK(k.out == top.out);
  CHECK_THAT(k.err, StartsWith("warning: -k is deprecated in metrics; use --top\n"));
  CHECK(std::count(k.err.begin(), k.err.end(), '\n') ==
        std::count(top.err.begin(), top.err.end(), '\n') + 1);
  fails(run_cli("metrics -k 0" + s.m()),
        "warning: -k is deprecated in metrics; use --top\nrecsys: -k must be at least 1\n");
  fails(run_cli("metrics -k 5 --top 3" + s.m()),
        "warning: -k is deprecated in metrics; use --top\nrecsys: -k is the old name of --top; "
        "give only one of them\n");
  fails(run_cli("metrics -n 3 -k 5" + s.m()),
        "warning: -k is deprecated in metrics; use --top\nrecsys: -k is the old name of -n; give "
        "only one of them\n");
}

TEST_CASE("cli: project --ids, and --movies as its deprecated name", "[cli][options]") {
  const Sample& s = sample();
  const CliResult ids = run_cli("project --ids 14,2,31" + s.m());
  REQUIRE(ids.code == 0);
  CHECK(std::count(ids.out.begin(), ids.out.end(), '\n') == 4);
  const CliResult movies = run_cli("project --movies 14,2,31" + s.m());
  CHECK(movies.code == 0);
  CHECK(movies.out == ids.out);
  CHECK_THAT(movies.err,
             StartsWith("warning: --movies (a list of ids) is deprecated in project; use --ids\n"));
  CHECK(std::count(movies.err.begin(), movies.err.end(), '\n') ==
        std::count(ids.err.begin(), ids.err.end(), '\n') + 1);
  // Errors name the spelling used.
  fails(run_cli("project --ids 14,nosuchfilm" + s.m()),
        "recsys: " + s.model +
            ": --ids: movieId 'nosuchfilm' is not in this model (it knows 400 movies)\n");
  fails(
      run_cli("project --movies 14,nosuchfilm" + s.m()),
      "warning: --movies (a list of ids) is deprecated in project; use --ids\nrecsys: " + s.model +
          ": --movies: movieId 'nosuchfilm' is not in this model (it knows 400 movies)\n");
}

TEST_CASE("cli: synth counts are --n-users/--n-movies/--n-ratings, the old names warn",
          "[cli][options][synth]") {
  TempDir dir;
  const std::string shape = " --genres 3 --dim 4 --seed 9";
  const CliResult now = run_cli("synth --n-users 40 --n-movies 30 --n-ratings 500" + shape +
                                " --out " + q(dir.file("new")));
  REQUIRE(now.code == 0);
  CHECK(now.err.find("deprecated") == std::string::npos);
  const CliResult old = run_cli("synth --users 40 --movies 30 --ratings 500" + shape + " --out " +
                                q(dir.file("old")));
  REQUIRE(old.code == 0);
  CHECK_THAT(old.err,
             StartsWith("warning: --users (a count) is deprecated in synth; use --n-users\n"
                        "warning: --movies (a count) is deprecated in synth; use --n-movies\n"
                        "warning: --ratings (a count) is deprecated in synth; use --n-ratings\n"));
  for (const char* file : {"ratings.csv", "movies.csv", "users.csv"})
    CHECK(test_support::read_bytes(dir.file("old/") + file) ==
          test_support::read_bytes(dir.file("new/") + file));
  fails(run_cli("synth --n-users 0 --out " + q(dir.file("none"))),
        "recsys: --n-users must be between 1 and 100000000\n");
  fails(run_cli("synth --n-users 10 --n-ratings 5 --out " + q(dir.file("none"))),
        "recsys: --n-ratings must be at least --n-users (10): every user rates at least one "
        "movie\n");
  CHECK_FALSE(std::filesystem::exists(dir.file("none")));
}

TEST_CASE("cli: --format table everywhere, text its deprecated name", "[cli][options]") {
  const Sample& s = sample();
  for (const std::string command : {"topn --user 42", "similar --movie 14", "metrics", "info"}) {
    INFO(command);
    const CliResult table = run_cli(command + " --format table" + s.m());
    const CliResult text = run_cli(command + " --format text" + s.m());
    REQUIRE(text.code == 0);
    CHECK(text.out == table.out);
    const std::string name = command.substr(0, command.find(' '));
    CHECK_THAT(text.err, StartsWith("warning: --format text is deprecated in " + name +
                                    "; use --format table\n"));
  }
  // Where no table is offered, "text" is no format at all.
  const CliResult e = run_cli("export --what items --format text" + s.m());
  CHECK(e.code == 2);
  CHECK(e.err.find("deprecated") == std::string::npos);
}

// ---------------------------------------------------------------------------
// Did you mean

TEST_CASE("suggest: edit distance counts a swap of neighbours once", "[cli][suggest]") {
  using recsys::cli::edit_distance;
  CHECK(edit_distance("train", "train") == 0);
  CHECK(edit_distance("trian", "train") == 1);
  CHECK(edit_distance("ab", "ba") == 1);
  CHECK(edit_distance("usr", "user") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("ca", "abc") == 3);  // no edit of a swapped pair
}

TEST_CASE("suggest: the nearest name, only when it is near", "[cli][suggest]") {
  using recsys::cli::closest;
  const std::vector<std::string> commands = {"train",   "topn",    "info",   "synth",
                                             "metrics", "similar", "export", "project"};
  CHECK(closest("trian", commands) == "train");
  CHECK(closest("metric", commands) == "metrics");
  CHECK(closest("simliar", commands) == "similar");
  CHECK_FALSE(closest("zzzz", commands));
  CHECK_FALSE(closest("fo", commands));  // two edits from "info", but half the word
  const std::vector<std::string> options = {"--user", "--all-users", "-n", "--top", "--model"};
  CHECK(closest("--usr", options) == "--user");
  CHECK(closest("--tpo", options) == "--top");
  CHECK(closest("--modle", options) == "--model");
  CHECK_FALSE(closest("-k", options));  // one letter from -n is no typo
  CHECK_FALSE(closest("--verbose", options));
}

TEST_CASE("cli: a mistyped command or option names the nearest one, exit 2", "[cli][suggest]") {
  fails(run_cli("trian"),
        "recsys: unknown command 'trian'; did you mean 'train'? (see recsys --help)\n");
  fails(run_cli("trian ratings.csv --epochs 1"),
        "recsys: unknown command 'trian'; did you mean 'train'? (see recsys --help)\n");
  fails(run_cli("zzzz"), "recsys: unknown command 'zzzz' (see recsys --help)\n");
  fails(
      run_cli("topn --usr 42"),
      "recsys: unknown option '--usr' for topn; did you mean '--user'? (see recsys topn --help)\n");
  fails(
      run_cli("topn --usr=42"),
      "recsys: unknown option '--usr' for topn; did you mean '--user'? (see recsys topn --help)\n");
  fails(run_cli("topn --user 42 --qqqqqq"),
        "recsys: unknown option '--qqqqqq' for topn (see recsys topn --help)\n");
  // Named even though CLI11 first finds the required --movie missing.
  fails(run_cli("similar --moive 5"),
        "recsys: unknown option '--moive' for similar; did you mean '--movie'? (see recsys similar "
        "--help)\n");
  // A deprecated spelling is never suggested.
  fails(run_cli("project --movie 5"),
        "recsys: unknown option '--movie' for project (see recsys project --help)\n");
  fails(run_cli("--verbose"), "recsys: unknown option '--verbose' (see recsys --help)\n");
  // Other parse errors point at the command's help and name the option as typed.
  fails(run_cli("topn --user 1 -n lots"),
        "recsys: Could not convert: -n = lots (see recsys topn --help)\n");
}

// ---------------------------------------------------------------------------
// NO_COLOR

namespace {

// recsys ARGS on a pseudo-terminal with TERM=xterm, where spdlog colours its
// log lines; setting, when given, goes into the environment ("NO_COLOR=1").
// Returns everything written to the terminal.
std::string on_terminal(const std::vector<std::string>& args, const std::string& setting) {
  int terminal = -1;
  const pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("TERM", "xterm", 1);
    ::unsetenv("NO_COLOR");
    std::string copy = setting;
    if (!copy.empty()) ::putenv(copy.data());
    std::vector<std::string> strings = {RECSYS_BINARY};
    strings.insert(strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(RECSYS_BINARY, argv.data());
    ::_exit(127);
  }
  std::string seen;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(terminal, buf, sizeof buf);
    if (n > 0)
      seen.append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;  // EIO once the child has closed its side
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(terminal);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return seen;
}

}  // namespace

TEST_CASE("cli: NO_COLOR turns off the colour of log lines on a terminal", "[cli][color]") {
  const Sample& s = sample();
  const std::vector<std::string> args = {"metrics", "--top", "3", "--model", s.model};
  // The control: on a terminal the level is coloured, so the test can fail.
  CHECK_THAT(on_terminal(args, ""), Contains("\033["));
  CHECK_THAT(on_terminal(args, "NO_COLOR="), Contains("\033["));  // empty means unset
  const std::string plain = on_terminal(args, "NO_COLOR=1");
  CHECK_THAT(plain, Contains("info: 300 users x 400 movies, top 3"));
  CHECK(plain.find('\033') == std::string::npos);
}
