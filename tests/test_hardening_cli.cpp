// The command line under abuse: bad ids and sizes, unwritable and full
// outputs, a reader that stops early, and signals in the middle of training.
// A model file is never lost: after SIGKILL, Ctrl-C or a failed write the
// previous one is still there, byte for byte, and loads.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "recsys/io/model_file.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::Child;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;
using test_support::TempDir;

namespace {

namespace fs = std::filesystem;

// Synthetic data big enough that an epoch of dense Adam takes a while, and a
// quick model trained on it.
struct Data {
  TempDir dir;
  std::string ratings, model;
  std::vector<std::uint8_t> model_bytes;
};

const Data& data() {
  static Data* d = [] {
    auto* p = new Data;
    hardening::synth(p->dir, 3000, 1500, 60000);
    p->ratings = p->dir.file("ratings.csv");
    p->model = p->dir.file("quick.model");
    const Result r = run_recsys("train " + q(p->ratings) + " --model " + q(p->model) +
                                " --dim 8 --epochs 1 --threads 1 --quiet");
    if (r.code != 0) FAIL("train failed: " << r.err);
    p->model_bytes = test_support::read_bytes(p->model);
    return p;
  }();
  return *d;
}

// A directory holding a copy of the quick model as "m.model".
struct WithModel {
  TempDir dir;
  std::string model = dir.file("m.model");
  WithModel() { test_support::write_bytes(model, data().model_bytes); }
  bool intact() const {
    if (test_support::read_bytes(model) != data().model_bytes) return false;
    return recsys::load_model(model).users.size() == 3000u;
  }
};

std::vector<std::string> long_training(const std::string& model, const std::string& extra = "") {
  std::vector<std::string> args = {
      "train",    data().ratings, "--model",          model, "--optimizer", "adam",
      "--dim",    "128",          "--batch",          "64",  "--threads",   "1",
      "--epochs", "1000",         "--early-stopping", "0"};
  if (!extra.empty()) args.push_back(extra);
  return args;
}

const std::string kQuick = " --dim 2 --epochs 1 --batch 64 --threads 1 --quiet";

}  // namespace

// ---------------------------------------------------------------------------
// Ids and sizes

TEST_CASE("hardening: unknown ids and -n 0", "[hardening][cli]") {
  const Data& d = data();
  check_failure(run_recsys("topn --user no-such-user --model " + q(d.model)), 2, d.model + ": ",
                {"user 'no-such-user' is not in this model", "3000 users"});
  check_failure(run_recsys("topn --user 1 -n 0 --model " + q(d.model)), 2, "-n must be at least 1",
                {});
  check_failure(run_recsys("topn --user 1 -n -5 --model " + q(d.model)), 2, "-n must be at least 1",
                {});
  check_failure(run_recsys("topn --user 1 -n lots --model " + q(d.model)), 2, "",
                {"-n = lots", "recsys topn --help"});
  if (run_recsys("similar --help").code == 0) {
    check_failure(run_recsys("similar --movie 99999999 --model " + q(d.model)), 2, d.model + ": ",
                  {"movie '99999999' is not in this model"});
    check_failure(run_recsys("similar --movie 1 -n 0 --model " + q(d.model)), 2,
                  "-n must be at least 1", {});
  }
}

TEST_CASE("hardening: negative, zero and absurd sizes are refused before loading",
          "[hardening][cli]") {
  TempDir dir;
  const std::string model = dir.file("m.model");
  const struct {
    const char* args;
    const char* says;
  } cases[] = {
      {"--dim 0", "--dim must be between 1 and 4096"},
      {"--dim -3", "--dim must be between 1 and 4096"},
      {"--dim 100000000", "--dim must be between 1 and 4096"},
      {"--batch 0", "--batch must be between 1 and 16777216"},
      {"--batch 99999999999", "--batch must be between 1 and 16777216"},
      {"--epochs -1", "--epochs must be 0 or more"},
      {"--lr 0", "--lr must be a positive number"},
      {"--lr nan", "--lr must be a positive number"},
      {"--lr inf", "--lr must be a positive number"},
      {"--weight-decay -1", "--weight-decay must be 0 or more"},
      {"--init-std -0.5", "--init-std must be 0 or more"},
      {"--early-stopping -2", "--early-stopping must be 0 (off) or more"},
      {"--threads -1", "--threads must be between 0 (all cores) and 1024"},
      {"--threads 100000", "--threads must be between 0 (all cores) and 1024"},
      {"--checkpoint-every -1", "--checkpoint-every must be 0 (off) or more"},
      {"--val-fraction 1", "--val-fraction must be in [0, 1)"},
      {"--val-fraction -0.1", "--val-fraction must be in [0, 1)"},
      {"--val-fraction nan", "--val-fraction must be in [0, 1)"},
      {"--preset huge", "unknown --preset 'huge' (choose default or notebook)"},
      {"--optimizer sgd", "sgd"},
      {"--format xml", "--format"},
      {"--epochs many", "--epochs"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    // The ratings file does not even exist: options are checked first.
    const Result r =
        run_recsys("train " + q(dir.file("absent.csv")) + " --model " + q(model) + " " + c.args);
    check_failure(r, 2, "", {c.says});
  }
  CHECK(dir.entries().empty());
}

TEST_CASE("hardening: tables too big for this machine's memory are refused", "[hardening][cli]") {
  TempDir dir;
  // About 1.5 million users in 2 million ratings (most rate once): at --dim
  // 4096, weights, two Adam moments and the best epoch's copy take about
  // 110 GiB; the check needs only the counts, never the memory.
  hardening::synth(dir, 1500000, 1000000, 2000000);
  const std::string model = dir.file("m.model");
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (static_cast<double>(pages) * static_cast<double>(page) > 100e9) {
    WARN("skipped: this machine has more than 100 GB of memory");
    return;
  }
  const Result r = run_recsys("train " + q(dir.file("ratings.csv")) + " --model " + q(model) +
                              " --dim 4096 --threads 64 --optimizer sparse-adam --quiet");
  check_failure(r, 2, "--dim 4096 needs about", {"GiB", "lower --dim"});
  CHECK(!fs::exists(model));
}

// ---------------------------------------------------------------------------
// Outputs

TEST_CASE("hardening: an output path in a missing directory fails before training",
          "[hardening][cli]") {
  const Data& d = data();
  TempDir dir;
  const std::string model = dir.file("no/such/dir/m.model");
  const auto start = std::chrono::steady_clock::now();
  check_failure(
      run_recsys("train " + q(d.ratings) + " --model " + q(model) + " --epochs 500 --quiet"), 2,
      model + ": ", {"cannot write", "does not exist; create it first"});
  // Refused up front, not after 500 epochs.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(dir.entries().empty());

  check_failure(run_recsys("train " + q(d.ratings) + " --model " + q(dir.path().string()) + kQuick),
                2, dir.path().string() + ": ", {"is a directory; give a file name"});
  const std::string file = dir.write("plain", "x");
  check_failure(run_recsys("train " + q(d.ratings) + " --model " + q(file + "/m.model") + kQuick),
                2, file + "/m.model: ", {"is not a directory"});
}

TEST_CASE(
    "hardening: a device as the model is refused up front and survives; a full stdout is "
    "an error",
    "[hardening][cli]") {
  const Data& d = data();
  // Only regular files are written (atomic_file.hpp): /dev/full and /dev/null
  // are refused before training, and stay devices even as root.
  for (const std::string device : {"/dev/full", "/dev/null"}) {
    check_failure(run_recsys("train " + q(d.ratings) + " --model " + device + kQuick), 2,
                  device + ": ", {"cannot write: is a device, not a regular file"});
    struct stat st {};
    REQUIRE(::stat(device.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  check_failure(hardening::shell("RECSYS info --model " + q(d.model) + " >/dev/full"), 2,
                "<stdout>: ", {"No space left on device"});
}

TEST_CASE("hardening: a write cut short (ulimit -f) keeps the previous model", "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  // 64 blocks of 512 bytes is less than the model; SIGXFSZ is ignored, so the
  // write fails with EFBIG instead of killing the process.
  const Result r = hardening::shell("ulimit -f 64; RECSYS train " + q(d.ratings) + " --model " +
                                    q(w.model) + " --dim 32 --epochs 1 --threads 1 --quiet");
  check_failure(r, 2, w.model + ": ", {"File too large", "ulimit -f"});
  CHECK(w.intact());
  CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});
}

TEST_CASE("hardening: a symbolic link to the model is kept, and so are its permissions",
          "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  ::chmod(w.model.c_str(), 0600);
  const std::string link = w.dir.file("link.model");
  fs::create_symlink("m.model", link);
  REQUIRE(run_recsys("train " + q(d.ratings) + " --model " + q(link) + kQuick).code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(test_support::read_bytes(w.model) != data().model_bytes);  // written through the link
  struct stat st {};
  REQUIRE(::stat(w.model.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(w.dir.entries() == std::vector<std::string>{"link.model", "m.model"});
}

TEST_CASE("hardening: a reader that stops early (| head -1) ends the command quietly",
          "[hardening][cli]") {
  const Data& d = data();
  TempDir dir;
  // 2000 epochs of history: far more JSON than a pipe buffer holds, so the
  // write really meets a closed pipe.
  const std::string tiny =
      dir.write("tiny.csv", "userId,movieId,rating\n1,1,1\n1,2,5\n2,1,4\n2,2,2\n");
  dir.write("movies.csv", "movieId,title\n1,One\n2,Two\n");
  const std::string model = dir.file("tiny.model");
  const std::string train =
      "train " + q(tiny) + " --model " + q(model) +
      " --dim 2 --epochs 2000 --early-stopping 0 --threads 1 --quiet --format json";
  const Result all = run_recsys(train);
  REQUIRE(all.code == 0);
  REQUIRE(all.out.size() > (1u << 17));
  std::vector<std::string> commands = {train + " | head -c 10", train + " | true",
                                       "info --model " + q(d.model) + " | head -1",
                                       "topn --user 1 --model " + q(d.model) + " | head -1"};
  if (run_recsys("topn --help").out.find("--all-users") != std::string::npos)
    commands.push_back("topn --all-users --format csv --model " + q(d.model) + " | head -1");
  for (const std::string& cmd : commands) {
    INFO(cmd);
    const Result r = hardening::shell("set -o pipefail; RECSYS " + cmd);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
  }
  // The model is written before the JSON, so it is complete.
  CHECK(recsys::load_model(model).history.size() == 2000u);
}

TEST_CASE("hardening: closed stdout or stderr", "[hardening][cli]") {
  const Data& d = data();
  const Result no_stdout = hardening::shell("RECSYS info --model " + q(d.model) + " >&-");
  CHECK(no_stdout.code == 0);
  CHECK(no_stdout.err.empty());
  // An error with stderr closed still exits 2, and nothing lands in the model.
  WithModel w;
  const Result no_stderr =
      hardening::shell("RECSYS train " + q(d.ratings) + " --model " + q(w.model) + " --dim 0 2>&-");
  CHECK(no_stderr.code == 2);
  CHECK(w.intact());
  const Result train = hardening::shell("RECSYS train " + q(d.ratings) + " --model " + q(w.model) +
                                        " --dim 2 --epochs 1 --threads 1 >&- 2>&-");
  CHECK(train.code == 0);
  CHECK(recsys::load_model(w.model).settings.dim == 2);
}

// ---------------------------------------------------------------------------
// Signals

TEST_CASE("hardening: SIGKILL during training leaves the previous model intact",
          "[hardening][cli][signals]") {
  WithModel w;
  for (const int delay_ms : {0, 30, 150, 400, 900}) {
    INFO("killed after " << delay_ms << " ms");
    Child child(long_training(w.model), w.dir.file("out"), w.dir.file("err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child.signal(SIGKILL);
    const Result r = child.wait();
    CHECK(r.signal == SIGKILL);
    CHECK(w.intact());
    fs::remove(w.dir.file("out"));
    fs::remove(w.dir.file("err"));
    CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});  // no temporary left
  }
}

TEST_CASE("hardening: SIGKILL with --checkpoint-every always leaves a loadable model",
          "[hardening][cli][signals]") {
  WithModel w;
  const std::string err = w.dir.file("err");
  // Sparse Adam: short epochs, so checkpoints are written often and some
  // kills land in or near a write.
  std::vector<std::string> args = {"train",
                                   data().ratings,
                                   "--model",
                                   w.model,
                                   "--dim",
                                   "64",
                                   "--threads",
                                   "1",
                                   "--epochs",
                                   "100000",
                                   "--early-stopping",
                                   "0",
                                   "--checkpoint-every",
                                   "1"};
  for (int round = 0; round < 8; ++round) {
    INFO("round " << round);
    Child child(args, w.dir.file("out"), err);
    REQUIRE(child.wait_for_stderr("checkpoint: wrote", 60));
    std::this_thread::sleep_for(std::chrono::milliseconds(7 * round));
    child.signal(SIGKILL);
    CHECK(child.wait().signal == SIGKILL);
    const recsys::TrainedModel m = recsys::load_model(w.model);
    CHECK(m.history.size() >= 1u);  // a checkpoint, not the quick model
    CHECK(m.users.size() == 3000u);
  }
  fs::remove(w.dir.file("out"));
  fs::remove(err);
  CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});
}

TEST_CASE("hardening: Ctrl-C after an epoch stops after the batch and saves",
          "[hardening][cli][signals]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    WithModel w;
    Child child(long_training(w.model), w.dir.file("out"), w.dir.file("err"));
    REQUIRE(child.wait_for_stderr("epoch 1/1000", 120));
    child.signal(sig);
    const Result r = child.wait();
    CHECK(r.code == 0);
    CHECK_THAT(r.err, Contains("stopping after this batch"));
    CHECK_THAT(r.err, Contains("interrupted: saving the model as it stands"));
    const recsys::TrainedModel m = recsys::load_model(w.model);
    CHECK(m.history.size() >= 1u);
    CHECK(m.history.size() < 1000u);
    CHECK(m.settings.dim == 128);
  }
}

TEST_CASE("hardening: Ctrl-C before the first epoch ends writes nothing and exits 130",
          "[hardening][cli][signals]") {
  WithModel w;
  // Dense Adam with small batches: the first epoch takes many seconds.
  std::vector<std::string> args = {
      "train", data().ratings, "--model", w.model,     "--optimizer", "adam",     "--dim",
      "256",   "--batch",      "4",       "--threads", "1",           "--epochs", "5"};
  Child child(args, w.dir.file("out"), w.dir.file("err"));
  REQUIRE(child.wait_for_stderr("training: preset", 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  child.signal(SIGINT);
  const Result r = child.wait();
  CHECK(r.code == 130);
  CHECK_THAT(r.err, Contains("interrupted before the first epoch finished: no model written"));
  CHECK(w.intact());
}

TEST_CASE("hardening: a second Ctrl-C quits at once, the model file untouched",
          "[hardening][cli][signals]") {
  WithModel w;
  std::vector<std::string> args = {
      "train", data().ratings, "--model", w.model,     "--optimizer", "adam",     "--dim",
      "256",   "--batch",      "4",       "--threads", "1",           "--epochs", "5"};
  Child child(args, w.dir.file("out"), w.dir.file("err"));
  REQUIRE(child.wait_for_stderr("training: preset", 60));
  child.signal(SIGINT);
  REQUIRE(child.wait_for_stderr("stopping after this batch", 10));
  child.signal(SIGINT);
  const Result r = child.wait();
  // The second signal usually kills it; if the batch ended first it exits 130.
  CHECK((r.signal == SIGINT || r.code == 130));
  CHECK(w.intact());
}

TEST_CASE("hardening: --checkpoint-every writes a complete model during training",
          "[hardening][cli]") {
  const Data& d = data();
  WithModel w;
  const Result r =
      run_recsys("train " + q(d.ratings) + " --model " + q(w.model) +
                 " --dim 4 --epochs 5 --early-stopping 0 --threads 1 --checkpoint-every 2");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.err, Contains("checkpoint: wrote " + w.model + " (epoch 2)"));
  CHECK_THAT(r.err, Contains("checkpoint: wrote " + w.model + " (epoch 4)"));
  const recsys::TrainedModel m = recsys::load_model(w.model);
  CHECK(m.history.size() == 5u);
  CHECK(m.best_epoch == 5);
  CHECK(w.dir.entries() == std::vector<std::string>{"m.model"});
}
