#pragma once
// fast-cpp-csv-parser, with the warnings its own code raises under -Wall
// silenced here rather than in every file that reads CSV.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

namespace recsys {

// The dialect recsys reads: trimmed fields, RFC 4180 quotes, blank lines skipped.
template <unsigned Columns>
using CsvReader = io::CSVReader<Columns, io::trim_chars<' ', '\t'>, io::double_quote_escape<',', '"'>,
                                io::throw_on_overflow, io::empty_line_comment>;

}  // namespace recsys
