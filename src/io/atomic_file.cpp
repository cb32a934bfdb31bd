#include "recsys/io/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

// Closes on every path out, so an exception cannot leak the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // close(2) can report a deferred write error (NFS, quotas), so it is checked.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// strerror plus what the user can do about it.
std::string reason(int err, const std::string& dir) {
  std::string text = std::string("cannot write: ") + std::strerror(err);
  switch (err) {
    case ENOENT:
      return text + " (the directory '" + dir + "' does not exist; create it first)";
    case ENOTDIR:
      return text + " ('" + dir + "' is not a directory)";
    case EACCES:
    case EPERM:
      return text + " (no permission to write in '" + dir + "'; choose another location)";
    case EROFS:
      return text + " ('" + dir + "' is on a read-only file system; choose another location)";
    case ENOSPC:
    case EDQUOT:
      return text + " (free some space or choose another location, then run again)";
    case EFBIG:
      return text + " (the file size limit, ulimit -f, is too small for this file)";
    default:
      return text;
  }
}

[[noreturn]] void fail(const std::string& path, int err, const std::string& dir) {
  throw Error(path, 0, reason(err, dir));
}

// Returns 0 or the errno of the first failed write.
int write_all(int fd, std::span<const std::uint8_t> bytes) {
  const std::uint8_t* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}

bool fsync_failed(int fd) {
  // A file system that cannot sync (EINVAL, ENOTSUP) has not failed a write.
  return ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP;
}

// Where the bytes really go: a symbolic link is followed so that the link
// itself survives the rename.
std::string resolve_target(const std::string& path) {
  std::string target = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(target.c_str(), buf, sizeof buf - 1);
    if (n < 0) return target;
    const std::string link(buf, static_cast<std::size_t>(n));
    target = link.front() == '/' ? link : directory_of(target) + "/" + link;
  }
  throw Error(path, 0, "cannot write: too many levels of symbolic links");
}

struct Destination {
  std::string target;  // the file that is replaced (path, or what its links point to)
  std::string dir;
};

// What an existing path that is no regular file is, for the error.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
  return "is not a regular file";
}

Destination examine(const std::string& path) {
  if (path.empty()) throw Error("an output file name is empty");
  Destination d;
  d.target = resolve_target(path);
  d.dir = directory_of(d.target);
  // A FIFO would block the write until some reader came (train would hang
  // after all its work), and renaming over a device would replace the node.
  struct stat st {};
  if (::stat(d.target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw Error(path, 0, "cannot write: " + kind_of(st.st_mode) + "; give a file name");
  struct stat dir_st {};
  if (::stat(d.dir.c_str(), &dir_st) != 0) fail(path, errno, d.dir);
  if (!S_ISDIR(dir_st.st_mode)) fail(path, ENOTDIR, d.dir);
  return d;
}

// An unnamed file in dir (O_TMPFILE): a crash or SIGKILL while it is being
// written leaves nothing behind. -1 when the file system cannot do that.
int open_unnamed(const std::string& dir) {
#ifdef O_TMPFILE
  return ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
#else
  (void)dir;
  errno = EOPNOTSUPP;
  return -1;
#endif
}

bool unnamed_unsupported(int err) { return err == EOPNOTSUPP || err == EISDIR || err == EINVAL; }

std::string temp_name(const Destination& d) {
  return d.dir + "/" + base_name(d.target) + ".tmp." + std::to_string(::getpid());
}

// A temporary of this target whose process no longer runs: SIGKILL landed
// between naming the complete file and renaming it (or, without O_TMPFILE,
// during the write). The next write to the same target removes it, so
// killed runs never pile up copies of a model.
void remove_stale_temporaries(const Destination& d) {
  DIR* dir = ::opendir(d.dir.c_str());
  if (!dir) return;
  const std::string prefix = base_name(d.target) + ".tmp.";
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (!name.starts_with(prefix) || name.size() == prefix.size() ||
        name.size() > prefix.size() + 9)
      continue;
    const std::string_view digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(std::string(digits)));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH)
      ::unlink((d.dir + "/" + std::string(name)).c_str());
  }
  ::closedir(dir);
}

// Keeps an existing target's permission bits (a model made private stays private).
void copy_mode(int fd, const std::string& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) ::fchmod(fd, st.st_mode & 07777);
}

// Renames the complete temporary over the target and makes that durable.
void replace_target(const std::string& temp, const Destination& d, const std::string& path) {
  if (::rename(temp.c_str(), d.target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail(path, err, d.dir);
  }
  // The rename itself is durable only once the directory is synced.
  Fd dir_fd(::open(d.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

// The bytes in an unnamed file, named only once complete and synced. False
// when the file system (or a missing /proc) does not allow it: nothing was
// created then, and the caller falls back to a named temporary.
bool write_unnamed(const Destination& d, const std::string& path, const ByteProducer& produce) {
  Fd fd(open_unnamed(d.dir));
  if (fd.get() < 0) {
    if (unnamed_unsupported(errno)) return false;
    fail(path, errno, d.dir);
  }
  copy_mode(fd.get(), d.target);
  produce([&](std::span<const std::uint8_t> bytes) {
    if (const int err = write_all(fd.get(), bytes)) fail(path, err, d.dir);
  });
  if (fsync_failed(fd.get())) fail(path, errno, d.dir);
  const std::string temp = temp_name(d);
  const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  ::unlink(temp.c_str());  // a stale one from a killed process with our pid
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) != 0)
    return false;
  if (fd.close() != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail(path, err, d.dir);
  }
  replace_target(temp, d, path);
  return true;
}

// The classic way: a named temporary, removed on every failure (only SIGKILL
// or a crash mid-write can leave it behind).
void write_named(const Destination& d, const std::string& path, const ByteProducer& produce) {
  const std::string temp = temp_name(d);
  ::unlink(temp.c_str());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail(path, errno, d.dir);
  auto fail_removing = [&](int err) {
    ::unlink(temp.c_str());
    fail(path, err, d.dir);
  };
  copy_mode(fd.get(), d.target);
  try {
    produce([&](std::span<const std::uint8_t> bytes) {
      if (const int err = write_all(fd.get(), bytes)) fail_removing(err);
    });
  } catch (...) {
    ::unlink(temp.c_str());  // whatever stopped the producer, no half file stays
    throw;
  }
  if (fsync_failed(fd.get())) fail_removing(errno);
  if (fd.close() != 0) fail_removing(errno);
  replace_target(temp, d, path);
}

}  // namespace

void check_writable(const std::string& path) {
  const Destination d = examine(path);
  Fd probe(open_unnamed(d.dir));
  if (probe.get() >= 0) return;
  if (!unnamed_unsupported(errno)) fail(path, errno, d.dir);
  const std::string temp = temp_name(d);
  Fd named(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (named.get() < 0) fail(path, errno, d.dir);
  ::unlink(temp.c_str());
}

void write_file_atomically(const std::string& path, const ByteProducer& produce) {
  const Destination d = examine(path);
  remove_stale_temporaries(d);
  if (!write_unnamed(d, path, produce)) write_named(d, path, produce);
}

void write_file_atomically(const std::string& path, std::span<const std::uint8_t> bytes) {
  write_file_atomically(path, [&](const ByteSink& sink) { sink(bytes); });
}

void write_file_atomically(const std::string& path, std::string_view text) {
  write_file_atomically(path, std::span<const std::uint8_t>(
                                  reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace recsys
