#include "byte_ranges.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to n bytes at offset; throws naming path on a read error.
std::size_t read_at(int fd, const std::string& path, char* buffer, std::size_t n,
                    std::uint64_t offset) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, buffer + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(path, 0, std::string("cannot read: ") + std::strerror(errno));
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

constexpr std::size_t kBlock = std::size_t(1) << 20;

// The offset just after the first '\n' at or after `from` (or `size`).
std::uint64_t next_line_start(int fd, const std::string& path, std::uint64_t from,
                              std::uint64_t size) {
  std::vector<char> block(64 * 1024);
  while (from < size) {
    const std::size_t n = read_at(fd, path, block.data(), block.size(), from);
    if (n == 0) break;
    if (const void* nl = std::memchr(block.data(), '\n', n))
      return from + std::uint64_t(static_cast<const char*>(nl) - block.data()) + 1;
    from += n;
  }
  return size;
}

class RangeSource : public io::ByteSourceBase {
 public:
  RangeSource(const std::string& path, std::string header, const ByteRange& range)
      : fd_(path), path_(path), header_(std::move(header)), at_(range.begin), end_(range.end) {
    if (fd_.get() < 0) throw Error(path, 0, std::string("cannot open: ") + std::strerror(errno));
  }

  int read(char* buffer, int size) override {
    std::size_t n = 0;
    const auto want = static_cast<std::size_t>(size);
    if (header_at_ < header_.size()) {
      n = std::min(want, header_.size() - header_at_);
      std::memcpy(buffer, header_.data() + header_at_, n);
      header_at_ += n;
    }
    if (n < want && at_ < end_) {
      const std::size_t more =
          static_cast<std::size_t>(std::min<std::uint64_t>(want - n, end_ - at_));
      const std::size_t got = read_at(fd_.get(), path_, buffer + n, more, at_);
      at_ += got;
      n += got;
    }
    if (n < want) buffer[n] = '\0';  // see open_csv: the parser looks one byte past the data
    return static_cast<int>(n);
  }

 private:
  FileDescriptor fd_;
  std::string path_, header_;
  std::size_t header_at_ = 0;
  std::uint64_t at_, end_;
};

}  // namespace

SplitFile split_lines(const std::string& path, int parts) {
  SplitFile out;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || parts < 1) return out;
  const FileDescriptor fd(path);
  if (fd.get() < 0) return out;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t body = next_line_start(fd.get(), path, 0, size);
  if (body == 0 || body >= size) return out;
  out.header.resize(static_cast<std::size_t>(body));
  if (read_at(fd.get(), path, out.header.data(), out.header.size(), 0) != out.header.size())
    return SplitFile{};
  std::uint64_t begin = body;
  for (int k = 1; k <= parts && begin < size; ++k) {
    const std::uint64_t target = body + (size - body) * std::uint64_t(k) / std::uint64_t(parts);
    const std::uint64_t end =
        k == parts ? size : next_line_start(fd.get(), path, std::max(target, begin + 1) - 1, size);
    if (end > begin) out.ranges.push_back({begin, end});
    begin = end;
  }
  return out;
}

std::size_t count_newlines(const std::string& path, const ByteRange& range) {
  const FileDescriptor fd(path);
  if (fd.get() < 0) throw Error(path, 0, std::string("cannot open: ") + std::strerror(errno));
  std::vector<char> block(kBlock);
  std::size_t count = 0;
  for (std::uint64_t at = range.begin; at < range.end;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, range.end - at));
    const std::size_t n = read_at(fd.get(), path, block.data(), want, at);
    if (n == 0) break;
    count += static_cast<std::size_t>(std::count(block.data(), block.data() + n, '\n'));
    at += n;
  }
  return count;
}

std::unique_ptr<io::ByteSourceBase> open_range(const std::string& path, const std::string& header,
                                               const ByteRange& range) {
  return std::make_unique<RangeSource>(path, header, range);
}

}  // namespace recsys
