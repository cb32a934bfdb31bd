#include "csv_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include <zlib.h>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {

// The first bytes of a regular file (a pipe cannot be read twice), as read:
// decompressed when the file is gzip data.
std::string head_of(const std::string& path, std::size_t n) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  gzFile f = ::gzopen(path.c_str(), "rb");  // reads a file that is not gzip as it is
  if (!f) return "";
  std::string head(n, '\0');
  const int got = ::gzread(f, head.data(), static_cast<unsigned>(n));
  head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  ::gzclose(f);
  return head;
}

// What a file that is not CSV text is, from its first bytes, with what to do:
// a better message than "missing column" for a zip or a binary file.
std::string non_text_hint(const std::string& path) {
  const std::string head = head_of(path, 4096);
  auto starts = [&](std::string_view magic) { return head.compare(0, magic.size(), magic) == 0; };
  if (starts(std::string_view("PK\x03\x04", 4)))
    return "this is a zip archive, not CSV text: unzip it and pass the CSV file inside";
  if (starts("\x1f\x8b"))
    return "this is gzip-compressed twice: decompress it once (gunzip) and pass the result";
  if (starts("\xff\xfe") || starts("\xfe\xff"))
    return "this is UTF-16 text: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)";
  if (starts("RECSYSMF")) return "this is a recsys model file, not a CSV file";
  for (const char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t')
      return "this is binary data, not CSV text: pass a CSV file with a header line";
  }
  return "";
}

// The first bytes of a regular file as stored.
std::string head_of_raw(const std::string& path, std::size_t n) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "";
  std::string head(n, '\0');
  head.resize(std::fread(head.data(), 1, n, f));
  std::fclose(f);
  return head;
}

std::string header_line(const std::string& path) {
  std::string head = head_of(path, 200);
  if (head.compare(0, 3, "\xEF\xBB\xBF") == 0) head.erase(0, 3);
  head = head.substr(0, head.find('\n'));
  if (!head.empty() && head.back() == '\r') head.pop_back();
  return head;
}

class TerminatedFileSource : public io::ByteSourceBase {
 public:
  TerminatedFileSource(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {
    std::setvbuf(file_, nullptr, _IONBF, 0);  // the parser buffers
  }
  ~TerminatedFileSource() override { std::fclose(file_); }
  TerminatedFileSource(const TerminatedFileSource&) = delete;
  TerminatedFileSource& operator=(const TerminatedFileSource&) = delete;

  // May run on the parser's reading thread; an exception is rethrown to the caller.
  int read(char* buffer, int size) override {
    const std::size_t n = std::fread(buffer, 1, static_cast<std::size_t>(size), file_);
    if (n < static_cast<std::size_t>(size)) {
      if (std::ferror(file_))
        throw Error(path_, 0, std::string("cannot read: ") + std::strerror(errno ? errno : EIO));
      buffer[n] = '\0';
    }
    return static_cast<int>(n);
  }

 private:
  std::FILE* file_;
  std::string path_;
};

// zlib's reader, which passes data that is not gzip through as it is: used
// for gzip files and for standard input, where nothing can be looked at twice.
class GzipSource : public io::ByteSourceBase {
 public:
  GzipSource(gzFile file, std::string path) : file_(file), path_(std::move(path)) {
    ::gzbuffer(file_, 1u << 18);
  }
  ~GzipSource() override { ::gzclose(file_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  int read(char* buffer, int size) override {
    const int n = ::gzread(file_, buffer, static_cast<unsigned>(size));
    int code = Z_OK;
    const char* message = ::gzerror(file_, &code);
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      if (code == Z_BUF_ERROR)
        throw Error(path_, 0,
                    "the gzip data ends early: the file is truncated (download or copy it again)");
      if (code == Z_ERRNO)
        throw Error(path_, 0, std::string("cannot read: ") + std::strerror(errno ? errno : EIO));
      // zlib puts the name it was opened with in front: the line names the file already.
      std::string what = message ? message : "unknown";
      if (const auto colon = what.rfind(": "); colon != std::string::npos) what.erase(0, colon + 2);
      throw Error(
          path_, 0,
          "corrupt gzip data (" + what + "): the file is damaged; download or copy it again");
    }
    if (n < size) buffer[n] = '\0';
    return n;
  }

 private:
  gzFile file_;
  std::string path_;
};

}  // namespace

bool is_gzip_file(const std::string& path) {
  const std::string head = path == "-" ? "" : head_of_raw(path, 2);
  return head == "\x1f\x8b";
}

std::unique_ptr<io::ByteSourceBase> open_csv(const std::string& path) {
  if (path == "-") {
    const int fd = ::dup(0);
    gzFile file = fd < 0 ? nullptr : ::gzdopen(fd, "rb");
    if (!file) {
      if (fd >= 0) ::close(fd);
      throw Error("-", 0, "cannot read standard input");
    }
    return std::make_unique<GzipSource>(file, "-");
  }
  // A pipe (<(cat ratings.csv.gz)) cannot be looked at first: zlib's reader
  // takes whatever it holds.
  struct stat st {};
  const bool regular = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (!regular || is_gzip_file(path)) {
    gzFile file = ::gzopen(path.c_str(), "rb");
    if (!file)
      throw Error(path, 0,
                  std::string("cannot open: ") + std::strerror(errno) +
                      " (check the path and the file's permissions)");
    return std::make_unique<GzipSource>(file, path);
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file)
    throw Error(path, 0,
                std::string("cannot open: ") + std::strerror(errno) +
                    " (check the path and the file's permissions)");
  return std::make_unique<TerminatedFileSource>(file, path);
}

void require_csv_file(const std::string& path) {
  if (path == "-") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw Error(
        path, 0,
        std::string("cannot open: ") + std::strerror(err) +
            (err == ENOENT ? " (check the path)" : " (check the path and its permissions)"));
  }
  if (S_ISDIR(st.st_mode)) throw Error(path, 0, "is a directory, expected a CSV file");
}

std::string quoted_field(std::string_view field) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (const char c : field.substr(0, kMax)) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  if (field.size() > kMax) out += "...";
  return out + "'";
}

void throw_csv_error(const std::string& path, const io::error::base& e,
                     const std::string& expected_header, const std::string& column_options,
                     bool has_header) {
  std::size_t line = 0;
  if (auto* with_line = dynamic_cast<const io::error::with_file_line*>(&e))
    line = with_line->file_line > 0 ? static_cast<std::size_t>(with_line->file_line) : 0;
  if (auto* missing = dynamic_cast<const io::error::missing_column_in_header*>(&e)) {
    if (const std::string hint = non_text_hint(path); !hint.empty()) throw Error(path, 0, hint);
    const std::string found = header_line(path);
    // A first line that starts with a digit is most likely a row of data.
    const bool data_like = !found.empty() && found[0] >= '0' && found[0] <= '9';
    throw Error(path, 1,
                std::string("missing column '") + missing->column_name + "' in the header" +
                    (found.empty() ? "" : " " + quoted_field(found)) + " (expected " +
                    expected_header + "; name other columns with " + column_options +
                    (data_like ? "; a file without a header line needs --no-header" : "") + ")");
  }
  if (dynamic_cast<const io::error::header_missing*>(&e))
    throw Error(path, 0,
                std::string(path == "-" ? "standard input is empty" : "empty file") +
                    (has_header ? ": expected a header line such as " + expected_header
                                : ": expected rows of ratings"));
  if (dynamic_cast<const io::error::too_few_columns*>(&e))
    throw Error(path, line,
                has_header ? "too few fields on this line (the header has more columns); fix or "
                             "remove the row"
                           : "too few fields on this line (fewer than the first line's, or than "
                             "--columns names); fix or remove the row");
  if (dynamic_cast<const io::error::too_many_columns*>(&e))
    throw Error(path, line,
                has_header ? "more fields on this line than columns in the header (a trailing "
                             "comma, or an unquoted comma inside a field?); quote fields that "
                             "contain commas"
                           : "more fields on this line than on the first line (a stray separator "
                             "inside a field?); quote fields that contain separators");
  if (auto* dup = dynamic_cast<const io::error::duplicated_column_in_header*>(&e))
    throw Error(path, 1,
                std::string("column '") + dup->column_name +
                    "' appears twice in the header; rename or remove one of them");
  if (dynamic_cast<const io::error::escaped_string_not_closed*>(&e))
    throw Error(path, line,
                "a quoted field is not closed on this line (fields cannot span lines: close the "
                "quote or remove the line break inside it)");
  if (auto* open = dynamic_cast<const io::error::can_not_open_file*>(&e))
    throw Error(path, 0,
                std::string("cannot open: ") +
                    (open->errno_value ? std::strerror(open->errno_value) : "unknown reason") +
                    " (check the path and the file's permissions)");
  if (dynamic_cast<const io::error::line_length_limit_exceeded*>(&e)) {
    if (const std::string hint = non_text_hint(path); !hint.empty()) throw Error(path, 0, hint);
    throw Error(path, line, "line longer than 16 MiB: is this a CSV file with one row per line?");
  }
  throw Error(path, line, e.what());
}

}  // namespace recsys
