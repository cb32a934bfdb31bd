#include "csv_rows.hpp"

#include <algorithm>
#include <cstring>

namespace recsys {
namespace {

constexpr std::size_t kRead = std::size_t(1) << 20;

bool is_blank(const char* begin, const char* end) {
  return std::all_of(begin, end, [](char c) { return c == ' ' || c == '\t'; });
}

template <typename Error>
[[noreturn]] void fail_on_line(std::size_t line) {
  Error e;
  e.set_file_line(static_cast<int>(line));
  throw e;
}

// Cuts the next field off [p, end) as the parser does: a quote opens a run
// that only the next quote closes ("" inside it is a quote), wherever it
// starts. p becomes the start of the next field, or null after the last.
void next_field(char*& p, char* end, char*& field_begin, char*& field_end, std::size_t line) {
  char* q = p;
  while (q != end && *q != ',') {
    if (*q != '"') {
      ++q;
      continue;
    }
    do {
      ++q;
      for (;; ++q) {
        if (q == end) fail_on_line<io::error::escaped_string_not_closed>(line);
        if (*q == '"') break;
      }
      ++q;
    } while (q != end && *q == '"');
  }
  field_begin = p;
  field_end = q;
  p = q == end ? nullptr : q + 1;
}

// Trimmed of spaces and tabs, then unquoted when the whole field is quoted.
std::string_view clean(char* begin, char* end) {
  while (begin != end && (*begin == ' ' || *begin == '\t')) ++begin;
  while (end != begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  if (end - begin >= 2 && *begin == '"' && end[-1] == '"') {
    ++begin;
    --end;
    char* out = begin;
    for (char* in = begin; in != end; ++in) {
      if (*in == '"' && in + 1 != end && in[1] == '"') ++in;
      *out++ = *in;
    }
    end = out;
  }
  return {begin, static_cast<std::size_t>(end - begin)};
}

}  // namespace

CsvRows::CsvRows(std::unique_ptr<io::ByteSourceBase> source)
    : source_(std::move(source)), buffer_(2 * kRead) {}

bool CsvRows::next_line(char*& begin, char*& end) {
  std::size_t scanned = pos_;
  for (;;) {
    char* data = buffer_.data();
    if (void* newline = std::memchr(data + scanned, '\n', filled_ - scanned)) {
      begin = data + pos_;
      end = static_cast<char*>(newline);
      pos_ = static_cast<std::size_t>(end - data) + 1;
      break;
    }
    if (filled_ - pos_ >= kLongestLine)
      fail_on_line<io::error::line_length_limit_exceeded>(line_ + 1);
    if (eof_) {
      if (pos_ == filled_) return false;
      begin = data + pos_;
      end = data + filled_;
      pos_ = filled_;
      break;
    }
    // Keep the unfinished line, at the front, and read more behind it.
    std::memmove(data, data + pos_, filled_ - pos_);
    filled_ -= pos_;
    pos_ = 0;
    scanned = filled_;
    if (buffer_.size() - filled_ < kRead + 1) buffer_.resize(2 * buffer_.size());
    // One byte is left over: a source may put a NUL after what it read.
    const int want = static_cast<int>(buffer_.size() - filled_ - 1);
    const int got = source_->read(buffer_.data() + filled_, want);
    if (got <= 0)
      eof_ = true;
    else
      filled_ += static_cast<std::size_t>(got);
    // A UTF-8 byte order mark before the header is no part of it (as the parser).
    if (line_ == 0 && !bom_checked_ && (filled_ >= 3 || eof_)) {
      bom_checked_ = true;
      if (filled_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = scanned = 3;
    }
  }
  ++line_;
  if (static_cast<std::size_t>(end - begin) >= kLongestLine)
    fail_on_line<io::error::line_length_limit_exceeded>(line_);
  if (end != begin && end[-1] == '\r') --end;
  // The parser reads a line as a C string: a NUL byte ends it.
  if (void* nul = std::memchr(begin, '\0', static_cast<std::size_t>(end - begin)))
    end = static_cast<char*>(nul);
  return true;
}

bool CsvRows::next_nonblank_line(char*& begin, char*& end) {
  while (next_line(begin, end))
    if (!is_blank(begin, end)) return true;
  return false;
}

void CsvRows::read_header(std::span<const std::string> names) {
  char *begin = nullptr, *end = nullptr;
  if (!next_nonblank_line(begin, end)) throw io::error::header_missing();
  column_of_.clear();
  std::vector<bool> found(names.size(), false);
  for (char* p = begin; p;) {
    char *field_begin, *field_end;
    next_field(p, end, field_begin, field_end, line_);
    const std::string_view name = clean(field_begin, field_end);
    int column = -1;
    for (std::size_t k = 0; k < names.size() && column < 0; ++k) {
      if (name != names[k]) continue;
      if (found[k]) {
        io::error::duplicated_column_in_header e;
        e.set_column_name(names[k].c_str());
        throw e;
      }
      found[k] = true;
      column = static_cast<int>(k);
    }
    column_of_.push_back(column);
  }
  for (std::size_t k = 0; k < names.size(); ++k)
    if (!found[k]) {
      io::error::missing_column_in_header e;
      e.set_column_name(names[k].c_str());
      throw e;
    }
}

bool CsvRows::read_row(std::span<std::string_view> fields) {
  char *begin = nullptr, *end = nullptr;
  if (!next_nonblank_line(begin, end)) return false;
  char* p = begin;
  for (const int column : column_of_) {
    if (!p) fail_on_line<io::error::too_few_columns>(line_);
    char *field_begin, *field_end;
    next_field(p, end, field_begin, field_end, line_);
    if (column >= 0) fields[std::size_t(column)] = clean(field_begin, field_end);
  }
  if (p) fail_on_line<io::error::too_many_columns>(line_);
  return true;
}

}  // namespace recsys
