// Writing a file whole: the temporaries a killed process left behind are
// removed by the next write to the same target, and nothing else is.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recsys/io/atomic_file.hpp"
#include "support.hpp"

using test_support::TempDir;

namespace {

// The pid of a process that has exited and been reaped.
pid_t finished_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

}  // namespace

TEST_CASE("atomic file: a write removes its target's temporaries of processes gone, no others",
          "[atomic_file]") {
  TempDir dir;
  const std::string gone = std::to_string(finished_pid());
  const std::string running = std::to_string(::getppid());
  dir.write("m.model.tmp." + gone, "complete copy left by SIGKILL");
  dir.write("m.model.tmp." + running, "being written by a live process");
  dir.write("m.model.tmp.notapid", "not ours");
  dir.write("other.model.tmp." + gone, "another target's");
  recsys::write_file_atomically(dir.file("m.model"), std::string_view("new bytes"));
  CHECK(dir.entries() == std::vector<std::string>{"m.model", "m.model.tmp." + running,
                                                  "m.model.tmp.notapid",
                                                  "other.model.tmp." + gone});
  CHECK(test_support::read_text(dir.file("m.model")) == "new bytes");
}
