#pragma once
// Human-readable tables and CSV fields for stdout.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace recsys {

// CSV field quoted as RFC 4180 requires (only when it holds , " CR or LF).
std::string csv_field(std::string_view s);

// Columns padded to their widest cell (UTF-8 aware); `right` marks the
// columns to right-align (numbers). Ends with a newline.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right = {});

// The same table with its cells made on demand by cell(row, column): one
// pass measures the widths, a second writes, so a table of millions of rows
// never holds a copy of its cells.
using TableCell = std::function<std::string(std::size_t row, std::size_t column)>;
std::string format_table(const std::vector<std::string>& header, std::size_t n_rows,
                         const TableCell& cell, const std::vector<bool>& right = {});

// printf-style "%.*f" into a std::string.
std::string fixed(double x, int decimals);
// 1234567 -> "1,234,567", for counts in log lines.
std::string with_commas(std::uint64_t n);

}  // namespace recsys
