#pragma once
// fast-cpp-csv-parser, with the warnings its own code raises under -Wall
// silenced here rather than in every file that reads CSV; and the one place
// that turns its exceptions into recsys::Error lines that say what to do.
#pragma GCC diagnostic push
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <memory>
#include <string>
#include <string_view>

namespace recsys {

// The dialect recsys reads: trimmed fields, RFC 4180 quotes, blank lines skipped.
template <unsigned Columns>
using CsvReader =
    io::CSVReader<Columns, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>,
                  io::throw_on_overflow, io::empty_line_comment>;

// The bytes of path for a CsvReader: `CsvReader<3> reader(path, open_csv(path))`.
// Unlike the parser's own source it reports read errors (instead of taking
// them for the end of the file), and it puts a NUL after the last byte read:
// the parser looks at the byte after the data to see whether the last line
// ends with '\n', and a stale '\n' there (from a reused allocation) would
// make it read past its buffer.
// path "-" is standard input. gzip data (a .gz file, or piped in) is
// decompressed as it is read, whatever the file is called.
std::unique_ptr<io::ByteSourceBase> open_csv(const std::string& path);

// Whether path is a regular file that starts as gzip data does.
bool is_gzip_file(const std::string& path);

// Throws unless path exists and is not a directory (a pipe such as <(zcat ...)
// is fine, and "-" stands for standard input).
void require_csv_file(const std::string& path);

// A field for an error message: in quotes, shortened, control bytes shown as '?'.
std::string quoted_field(std::string_view field);

// Converts the parser's exception into recsys::Error naming path and line.
// expected_header is shown when a column is missing ("userId,movieId,rating"),
// with column_options naming the options that choose other columns.
// has_header false: the file was read without one (fields counted from its first row).
[[noreturn]] void throw_csv_error(const std::string& path, const io::error::base& e,
                                  const std::string& expected_header,
                                  const std::string& column_options, bool has_header = true);

}  // namespace recsys
