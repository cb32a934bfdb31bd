#pragma once
// Helpers shared by the test files: a private temporary directory per use,
// whole-file reads and writes, and catching the one recsys::Error a call
// should throw so that its file(), line() and message() can be checked.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "recsys/kernels/kernels.hpp"
#include "recsys/util/error.hpp"

namespace test_support {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("recsys-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes contents to name inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string p = file(name);
    std::ofstream out(p, std::ios::binary);
    out << contents;
    return p;
  }
  // File names in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// The recsys::Error that f throws, or nothing when it returns normally. Any
// other exception propagates and fails the test as unexpected.
template <typename F>
std::optional<recsys::Error> error_from(F&& f) {
  try {
    f();
  } catch (const recsys::Error& e) {
    return e;
  }
  return std::nullopt;
}

// Makes `set` the active kernel set for a scope (a test run once per set the
// CPU has: GENERATE(from_range(recsys::kernels::available()))).
class KernelScope {
 public:
  explicit KernelScope(const recsys::kernels::KernelSet& set)
      : previous_(recsys::kernels::use(set)) {}
  ~KernelScope() { recsys::kernels::use(previous_); }
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;

 private:
  const recsys::kernels::KernelSet& previous_;
};

// Runs the rest of a Catch test once per kernel set this CPU has.
#define FOR_EACH_KERNEL_SET()                                                   \
  const auto* kernel_set_ = GENERATE(from_range(recsys::kernels::available())); \
  const test_support::KernelScope kernel_scope_(*kernel_set_);                  \
  INFO("kernels " << kernel_set_->name)

// What a run of the recsys binary printed and how it ended.
struct CliResult {
  int code = -1;  // exit code; -1 when it did not exit normally
  std::string out, err;
};

#ifdef RECSYS_BINARY
// Runs `[env] recsys ARGS` through the shell, stdin from /dev/null, stdout
// and stderr captured in files of a private directory.
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  static const TempDir capture;
  const std::string out = capture.file("stdout"), err = capture.file("stderr");
  const std::string command =
      env + " '" RECSYS_BINARY "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}
#endif

}  // namespace test_support
