#include "byte_ranges.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "recsys/util/error.hpp"

namespace recsys {

class OpenFile {
 public:
  explicit OpenFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {}
  ~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

namespace {

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
  RangeSource(const SplitFile& split, const ByteRange& range)
      : file_(split.file),
        path_(split.path),
        header_(split.has_header ? split.header : std::string()),
        at_(range.begin),
        end_(range.end) {}

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
      const std::size_t got = read_at(file_->get(), path_, buffer + n, more, at_);
      at_ += got;
      n += got;
    }
    if (n < want) buffer[n] = '\0';  // see open_csv: the parser looks one byte past the data
    return static_cast<int>(n);
  }

 private:
  std::shared_ptr<const OpenFile> file_;
  std::string path_, header_;
  std::size_t header_at_ = 0;
  std::uint64_t at_, end_;
};

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

SplitFile split_lines(const std::string& path, int parts, bool has_header) {
  SplitFile out;
  if (parts < 1) return out;
  auto file = std::make_shared<const OpenFile>(path);
  struct stat st {};
  if (file->get() < 0 || ::fstat(file->get(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
  const int fd = file->get();
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t body = next_line_start(fd, path, 0, size);
  if (body == 0 || body >= size) return out;
  std::string header(static_cast<std::size_t>(body), '\0');
  if (read_at(fd, path, header.data(), header.size(), 0) != header.size() || blank(header))
    return out;
  out.path = path;
  out.file = std::move(file);
  out.header = std::move(header);
  out.has_header = has_header;
  const std::uint64_t first = has_header ? body : 0;
  std::uint64_t begin = first;
  for (int k = 1; k <= parts && begin < size; ++k) {
    const std::uint64_t target = first + (size - first) * std::uint64_t(k) / std::uint64_t(parts);
    const std::uint64_t end =
        k == parts ? size : next_line_start(fd, path, std::max(target, begin + 1) - 1, size);
    if (end > begin) out.ranges.push_back({begin, end});
    begin = end;
  }
  return out;
}

std::size_t count_newlines(const SplitFile& split, const ByteRange& range) {
  std::vector<char> block(kBlock);
  std::size_t count = 0;
  for (std::uint64_t at = range.begin; at < range.end;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, range.end - at));
    const std::size_t n = read_at(split.file->get(), split.path, block.data(), want, at);
    if (n == 0) break;
    count += static_cast<std::size_t>(std::count(block.data(), block.data() + n, '\n'));
    at += n;
  }
  return count;
}

std::unique_ptr<io::ByteSourceBase> open_range(const SplitFile& split, const ByteRange& range) {
  return std::make_unique<RangeSource>(split, range);
}

}  // namespace recsys
