// The training progress bar: its figures (rate, ETA, bar, percentage)
// against values worked out by hand, and when it shows: on a terminal (a
// pseudo-terminal from `script`, where installed), never when stderr is a file.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "recsys/output/progress_line.hpp"
#include "support.hpp"

using recsys::clock_duration;
using recsys::short_count;

TEST_CASE("durations read as m:ss, with hours when there are any", "[progress]") {
  CHECK(clock_duration(0) == "0:00");
  CHECK(clock_duration(59.4) == "0:59");
  CHECK(clock_duration(59.6) == "1:00");
  CHECK(clock_duration(65) == "1:05");
  CHECK(clock_duration(12 * 60) == "12:00");
  CHECK(clock_duration(3600) == "1:00:00");
  CHECK(clock_duration(3723) == "1:02:03");
  CHECK(clock_duration(-5) == "0:00");
}

TEST_CASE("rates read with three figures and a k/M/G prefix", "[progress]") {
  CHECK(short_count(850) == "850");
  CHECK(short_count(999.4) == "999");
  CHECK(short_count(999.6) == "1.00 k");
  CHECK(short_count(12345) == "12.3 k");
  CHECK(short_count(123456) == "123 k");
  CHECK(short_count(999600) == "1.00 M");
  CHECK(short_count(1234567) == "1.23 M");
  CHECK(short_count(45.6e9) == "45.6 G");
}

TEST_CASE("the progress line: epoch, bar over the whole run, rate and ETA", "[progress]") {
  recsys::TrainingProgress p;
  p.epoch = 3;
  p.epochs = 10;
  p.epoch_fraction = 0.5;
  p.rows_per_epoch = 100000;
  p.seconds = 25;
  // 2.5 of 10 epochs: 25%, 6 of 24 cells; 250,000 ratings in 25 s; 75% left
  // at 25 s per 25% is 75 s.
  CHECK(recsys::progress_line(p) ==
        "epoch 3/10 [======>                 ]  25%  10.0 k ratings/s  ETA 1:15");

  p.seconds = 0;  // nothing measured yet
  CHECK(recsys::progress_line(p) ==
        "epoch 3/10 [======>                 ]  25%  -- ratings/s  ETA --");

  p.epoch = 1;  // one third of the first of two epochs of 25M ratings, in 10 s
  p.epochs = 2;
  p.epoch_fraction = 1.0 / 3;
  p.rows_per_epoch = 25000000;
  p.seconds = 10;
  // 1/6 done: 4 cells, 16%; 8.33 M ratings in 10 s; 5/6 left takes 50 s.
  CHECK(recsys::progress_line(p) ==
        "epoch 1/2 [====>                   ]  16%  833 k ratings/s  ETA 0:50");

  p.epoch = 2;  // the end
  p.epoch_fraction = 1;
  p.seconds = 60;
  CHECK(recsys::progress_line(p) ==
        "epoch 2/2 [========================] 100%  833 k ratings/s  ETA 0:00");
}

TEST_CASE("train shows the bar on a terminal only", "[progress][cli]") {
  test_support::TempDir dir;
  const std::string data = RECSYS_SOURCE_DIR "/data/ratings.csv";
  const std::string args =
      "train '" + data + "' --epochs 3 --threads 1 --model '" + dir.file("m.model") + "'";
  // stderr a file: one log line per epoch, nothing of the bar.
  const auto r = test_support::run_cli(args);
  REQUIRE(r.code == 0);
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK(r.err.find("ETA") == std::string::npos);
  CHECK(r.err.find("epoch 3/3  loss") != std::string::npos);

  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN("SKIPPED: no `script` to make a terminal; the bar itself was not seen");
    return;
  }
  // Under a pseudo-terminal the bar is drawn and each epoch's line clears it.
  const std::string seen = dir.file("tty.txt");
  const std::string command =
      "script -qec \"'" RECSYS_BINARY "' " + args + "\" /dev/null > '" + seen + "' 2>&1 </dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string tty = test_support::read_text(seen);
  CHECK(tty.find("\r\033[Kepoch 1/3 [") != std::string::npos);
  CHECK(tty.find(" ratings/s  ETA ") != std::string::npos);
  CHECK(tty.find("epoch 3/3  loss") != std::string::npos);
}
