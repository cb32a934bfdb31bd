#include "recsys/viz/svg_to_png.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "recsys/util/error.hpp"

extern char** environ;

namespace recsys {
namespace {

// Removes the temporary SVG however the conversion ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    const std::string candidate = dir + "/" + name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> svg_to_png(const std::string& svg, double zoom) {
  const auto program = find_program(kSvgConverter);
  if (!program)
    throw Error(std::string("PNG output needs ") + kSvgConverter +
                ", which is not on PATH: " + "apt-get install " + kSvgConverterPackage +
                " (or write the plot with --svg and convert it yourself)");

  TempFile input;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "recsys-plot-XXXXXX.svg").string();
  const int fd = ::mkstemps(pattern.data(), 4);
  if (fd < 0)
    throw Error(pattern, 0, std::string("cannot create a temporary file: ") + std::strerror(errno));
  input.path = pattern;
  std::size_t written = 0;
  while (written < svg.size()) {
    const ssize_t k = ::write(fd, svg.data() + written, svg.size() - written);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      const int err = errno;
      ::close(fd);
      throw Error(input.path, 0, std::string("cannot write: ") + std::strerror(err));
    }
    written += static_cast<std::size_t>(k);
  }
  ::close(fd);

  int out[2];
  if (::pipe(out) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  const std::string zoom_text = std::to_string(zoom);
  std::vector<std::string> args = {*program, "--format", "png", "--zoom", zoom_text, input.path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, program->c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    throw Error(*program, 0, std::string("cannot run: ") + std::strerror(spawned));
  }
  std::vector<std::uint8_t> png;
  std::uint8_t buf[65536];
  for (;;) {
    const ssize_t k = ::read(out[0], buf, sizeof buf);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    png.insert(png.end(), buf, buf + k);
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || png.size() < 8)
    throw Error(*program, 0,
                "failed to convert the plot to PNG (exit status " +
                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  return png;
}

}  // namespace recsys
