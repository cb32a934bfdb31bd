#pragma once
// Helpers for the hardening tests: running the recsys binary (through the
// shell, or as a child we can signal), reading what it printed, and the
// checks every failing command must pass: one line on stderr naming the
// file, the documented exit code, nothing on stdout, no file left behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

namespace hardening {

using test_support::TempDir;

struct Result {
  int code = -1;   // exit status, or -1 when killed by a signal
  int signal = 0;  // the signal that ended it, if any
  std::string out, err;
};

inline std::string q(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline const std::string& binary() {
  static const std::string path = RECSYS_BINARY;
  return path;
}

// Runs a shell command line with stdout and stderr captured; "RECSYS" in it
// stands for the quoted binary.
inline Result shell(std::string command) {
  static const TempDir capture;
  const std::string out = capture.file("stdout"), err = capture.file("stderr");
  for (std::size_t at = command.find("RECSYS"); at != std::string::npos;
       at = command.find("RECSYS", at))
    command.replace(at, 6, q(binary()));
  const std::string full = "( " + command + " ) >" + q(out) + " 2>" + q(err) + " </dev/null";
  const int status = std::system(("/bin/bash -c " + q(full)).c_str());
  Result r;
  if (status != -1 && WIFEXITED(status)) r.code = WEXITSTATUS(status);
  r.out = test_support::read_text(out);
  r.err = test_support::read_text(err);
  return r;
}

// `recsys ARGS` through the shell.
inline Result run_recsys(const std::string& args) { return shell("RECSYS " + args); }

inline std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += c == '\n';
  return n;
}

// The contract of every failure: exactly one line on stderr, starting
// "recsys: " + where (the file, and ":LINE:" when there is one), containing
// each of `says`; the given exit code; nothing on stdout.
inline void check_failure(const Result& r, int code, const std::string& where,
                          const std::vector<std::string>& says) {
  INFO("stderr: " << r.err);
  CHECK(r.code == code);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1u);
  const std::string line = r.err.substr(0, r.err.find('\n'));
  // Log lines before the error (warnings) would break the one-line rule, so
  // the error must also be the last line.
  CHECK(line.rfind("recsys: " + where, 0) == 0);
  for (const auto& s : says) CHECK_THAT(line, Catch::Matchers::Contains(s));
}

// A child running recsys with output in files, for tests that signal it.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& out, const std::string& err)
      : err_(err) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> argv;
      std::string bin = binary();
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !done_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) const { ::kill(pid_, sig); }
  // Polls stderr until it contains text or the child ends; false on timeout.
  bool wait_for_stderr(const std::string& text, double seconds) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (test_support::read_text(err_).find(text) != std::string::npos) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        done_ = true;
        status_ = status;
        return test_support::read_text(err_).find(text) != std::string::npos;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  // Waits for the end; returns the Result without out/err.
  Result wait() {
    if (!done_) {
      ::waitpid(pid_, &status_, 0);
      done_ = true;
    }
    Result r;
    if (WIFEXITED(status_)) r.code = WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) r.signal = WTERMSIG(status_);
    r.err = test_support::read_text(err_);
    return r;
  }

 private:
  pid_t pid_ = -1;
  std::string err_;
  mutable bool done_ = false;
  mutable int status_ = 0;
};

// MovieLens-layout data from `recsys synth`, small enough for tests.
inline void synth(const TempDir& dir, int users, int movies, int ratings, int seed = 1) {
  const Result r =
      run_recsys("synth --out " + q(dir.path().string()) + " --n-users " + std::to_string(users) +
                 " --n-movies " + std::to_string(movies) + " --n-ratings " +
                 std::to_string(ratings) + " --seed " + std::to_string(seed));
  REQUIRE(r.code == 0);
}

}  // namespace hardening
