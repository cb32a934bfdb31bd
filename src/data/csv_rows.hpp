#pragma once
// The rows of a ratings CSV in recsys's dialect (csv_reader.hpp: trimmed
// fields, RFC 4180 quotes, blank lines skipped), read through a buffer of our
// own. fast-cpp-csv-parser's reader, which reads the small titles file, keeps
// a fixed 48 MiB buffer per reader; a large ratings file is parsed by one
// reader per thread, and those buffers were a third of `train`'s peak memory.
// This one starts at 2 MiB and grows only for a line longer than that.
// It also reads the other layouts of file_layout.hpp: fields separated by a
// tab, "::" or ';', and files without a header.
//
// Errors are thrown as the parser's own exception types (io::error::...), with
// the file line set, so that throw_csv_error words them as before.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csv_reader.hpp"
#include "recsys/data/file_layout.hpp"

namespace recsys {

class CsvRows {
 public:
  // Separator::automatic: decided from the first line that is not blank.
  explicit CsvRows(std::unique_ptr<io::ByteSourceBase> source,
                   Separator separator = Separator::comma);

  // Reads the header (the first line that is not blank) and finds each of
  // names in it; other columns are ignored.
  void read_header(std::span<const std::string> names);
  // For a file without a header: names[k] (of read_row's fields) is field
  // positions[k] of each line. The first row sets how many fields every
  // row has; fields not named are ignored.
  void use_positions(std::span<const int> positions);
  // Every field, for a reader that keeps whole rows: read_header_fields
  // returns the header's names (none without a header), read_fields each
  // row's fields, as many as the header's (or, without one, as the first
  // row's). A field stays valid until the next call.
  std::vector<std::string> read_header_fields();
  bool read_fields(std::vector<std::string_view>& fields);
  // The separator in use (decided once the first line is read).
  Separator separator() const { return separator_; }
  // The next row's fields, in the order of the names given to read_header;
  // false at the end. A field stays valid until the next call.
  bool read_row(std::span<std::string_view> fields);
  // read_row in two steps: next_row finds the next row's line (without its
  // newline and '\r'), split_row cuts it into fields as read_row does.
  bool next_row(char*& begin, char*& end);
  void split_row(char* begin, char* end, std::span<std::string_view> fields);

  // For a caller that reads most rows its own way, straight from the buffer:
  // once layout_known(), columns() says which name each field of a line is
  // (index into the names, or -1) and field_separator() the byte between
  // fields (0 for "::"); unread() is the bytes read from the source and not
  // yet consumed, starting at the next line; consume_line(next) takes the
  // line up to next (past its newline) as the next row. Any other line, or
  // one not yet read to its end, is left to next_row.
  bool layout_known() const {
    return line_ > 0 && positions_.empty() && separator_ != Separator::automatic;
  }
  std::span<const int> columns() const { return column_of_; }
  char field_separator() const;
  std::span<const char> unread() const { return {buffer_.get() + pos_, filled_ - pos_}; }
  void consume_line(const char* next) {
    pos_ = static_cast<std::size_t>(next - buffer_.get());
    ++line_;
  }
  // The file line of the row (or header) just read, counting from 1.
  std::size_t line() const { return line_; }

  static constexpr std::size_t kLongestLine = std::size_t(1) << 24;  // as the parser's

 private:
  bool next_line(char*& begin, char*& end);
  bool next_nonblank_line(char*& begin, char*& end);
  template <typename Sep>
  void split_header(char* begin, char* end, std::span<const std::string> names, Sep sep);
  template <typename Sep>
  void split_fields(char* begin, char* end, std::span<std::string_view> fields, Sep sep);
  template <typename Sep>
  void count_first_row(char* begin, char* end, Sep sep);

  std::unique_ptr<io::ByteSourceBase> source_;
  // Not zeroed: only bytes a read filled are looked at, and zeroing 2 MiB
  // per reader was most of the cost of reading a small file.
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_;
  std::size_t pos_ = 0, filled_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
  std::size_t line_ = 0;
  Separator separator_;
  std::vector<int> column_of_;  // per field of a line: index into names, or -1
  std::vector<int> positions_;  // without a header, until the first row is read
};

}  // namespace recsys
