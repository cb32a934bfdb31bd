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

// A field separator: at(q, end) when one starts at q, `width` bytes long.
template <char C>
struct OneByte {
  static constexpr std::size_t width = 1;
  static constexpr char byte = C;
  bool at(const char* q, const char*) const { return *q == C; }
};
struct TwoColons {
  static constexpr std::size_t width = 2;
  static constexpr char byte = 0;  // no one byte
  bool at(const char* q, const char* end) const { return *q == ':' && q + 1 != end && q[1] == ':'; }
};

// Calls f with the separator as a type, so each layout's loop is compiled
// with its separator as a constant.
template <typename F>
decltype(auto) with_separator(Separator separator, F&& f) {
  switch (separator) {
    case Separator::tab:
      return f(OneByte<'\t'>{});
    case Separator::semicolon:
      return f(OneByte<';'>{});
    case Separator::double_colon:
      return f(TwoColons{});
    case Separator::automatic:
    case Separator::comma:
      break;
  }
  return f(OneByte<','>{});
}

// Cuts the next field off [p, end) as the parser does: a quote opens a run
// that only the next quote closes ("" inside it is a quote), wherever it
// starts. p becomes the start of the next field, or null after the last.
template <typename Sep>
void next_field(char*& p, char* end, char*& field_begin, char*& field_end, std::size_t line,
                Sep sep) {
  char* q = p;
  while (q != end && !sep.at(q, end)) {
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
  p = q == end ? nullptr : q + Sep::width;
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

CsvRows::CsvRows(std::unique_ptr<io::ByteSourceBase> source, Separator separator)
    : source_(std::move(source)),
      buffer_(std::make_unique_for_overwrite<char[]>(2 * kRead)),
      capacity_(2 * kRead),
      separator_(separator) {}

bool CsvRows::next_line(char*& begin, char*& end) {
  std::size_t scanned = pos_;
  for (;;) {
    char* data = buffer_.get();
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
    if (capacity_ - filled_ < kRead + 1) {
      auto larger = std::make_unique_for_overwrite<char[]>(2 * capacity_);
      std::memcpy(larger.get(), buffer_.get(), filled_);
      buffer_ = std::move(larger);
      capacity_ *= 2;
    }
    // One byte is left over: a source may put a NUL after what it read.
    const int want = static_cast<int>(capacity_ - filled_ - 1);
    const int got = source_->read(buffer_.get() + filled_, want);
    if (got <= 0)
      eof_ = true;
    else
      filled_ += static_cast<std::size_t>(got);
    // A UTF-8 byte order mark before the header is no part of it (as the parser).
    if (line_ == 0 && !bom_checked_ && (filled_ >= 3 || eof_)) {
      bom_checked_ = true;
      if (filled_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = scanned = 3;
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
  if (separator_ == Separator::automatic)
    separator_ = detect_separator({begin, static_cast<std::size_t>(end - begin)});
  with_separator(separator_, [&](auto sep) { split_header(begin, end, names, sep); });
}

template <typename Sep>
void CsvRows::split_header(char* begin, char* end, std::span<const std::string> names, Sep sep) {
  column_of_.clear();
  std::vector<bool> found(names.size(), false);
  for (char* p = begin; p;) {
    char *field_begin, *field_end;
    next_field(p, end, field_begin, field_end, line_, sep);
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

void CsvRows::use_positions(std::span<const int> positions) {
  positions_.assign(positions.begin(), positions.end());
  column_of_.clear();
}

template <typename Sep>
void CsvRows::count_first_row(char* begin, char* end, Sep sep) {
  std::size_t fields = 0;
  for (char* p = begin; p; ++fields) {
    char *field_begin, *field_end;
    next_field(p, end, field_begin, field_end, line_, sep);
  }
  const int last = *std::max_element(positions_.begin(), positions_.end());
  if (fields <= static_cast<std::size_t>(last)) fail_on_line<io::error::too_few_columns>(line_);
  column_of_.assign(fields, -1);
  for (std::size_t k = 0; k < positions_.size(); ++k)
    if (positions_[k] >= 0) column_of_[std::size_t(positions_[k])] = static_cast<int>(k);
  positions_.clear();
}

bool CsvRows::next_row(char*& begin, char*& end) {
  if (!next_nonblank_line(begin, end)) {
    if (!positions_.empty()) throw io::error::header_missing();  // not a single row
    return false;
  }
  if (!positions_.empty()) {
    if (separator_ == Separator::automatic)
      separator_ = detect_separator({begin, static_cast<std::size_t>(end - begin)});
    with_separator(separator_, [&](auto sep) { count_first_row(begin, end, sep); });
  }
  return true;
}

void CsvRows::split_row(char* begin, char* end, std::span<std::string_view> fields) {
  with_separator(separator_, [&](auto sep) { split_fields(begin, end, fields, sep); });
}

bool CsvRows::read_row(std::span<std::string_view> fields) {
  char *begin = nullptr, *end = nullptr;
  if (!next_row(begin, end)) return false;
  split_row(begin, end, fields);
  return true;
}

char CsvRows::field_separator() const {
  return with_separator(separator_, [](auto sep) { return sep.byte; });
}

std::vector<std::string> CsvRows::read_header_fields() {
  char *begin = nullptr, *end = nullptr;
  if (!next_nonblank_line(begin, end)) throw io::error::header_missing();
  if (separator_ == Separator::automatic)
    separator_ = detect_separator({begin, static_cast<std::size_t>(end - begin)});
  std::vector<std::string> names;
  with_separator(separator_, [&](auto sep) {
    for (char* p = begin; p;) {
      char *field_begin, *field_end;
      next_field(p, end, field_begin, field_end, line_, sep);
      names.emplace_back(clean(field_begin, field_end));
    }
  });
  column_of_.resize(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) column_of_[k] = static_cast<int>(k);
  return names;
}

bool CsvRows::read_fields(std::vector<std::string_view>& fields) {
  char *begin = nullptr, *end = nullptr;
  if (!next_nonblank_line(begin, end)) return false;
  if (column_of_.empty()) {  // no header: the first row sets the count
    if (separator_ == Separator::automatic)
      separator_ = detect_separator({begin, static_cast<std::size_t>(end - begin)});
    std::size_t count = 0;
    with_separator(separator_, [&](auto sep) {
      for (char* p = begin; p; ++count) {
        char *field_begin, *field_end;
        next_field(p, end, field_begin, field_end, line_, sep);
      }
    });
    column_of_.resize(count);
    for (std::size_t k = 0; k < count; ++k) column_of_[k] = static_cast<int>(k);
  }
  fields.resize(column_of_.size());
  with_separator(separator_, [&](auto sep) { split_fields(begin, end, fields, sep); });
  return true;
}

template <typename Sep>
void CsvRows::split_fields(char* begin, char* end, std::span<std::string_view> fields, Sep sep) {
  char* p = begin;
  for (const int column : column_of_) {
    if (!p) fail_on_line<io::error::too_few_columns>(line_);
    char *field_begin, *field_end;
    next_field(p, end, field_begin, field_end, line_, sep);
    if (column >= 0) fields[std::size_t(column)] = clean(field_begin, field_end);
  }
  if (p) fail_on_line<io::error::too_many_columns>(line_);
}

}  // namespace recsys
