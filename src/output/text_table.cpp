#include "recsys/output/text_table.hpp"

#include <algorithm>
#include <cstdio>

namespace recsys {
namespace {
std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;  // count code points
  return width;
}
}  // namespace

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right) {
  return format_table(
      header, rows.size(),
      [&](std::size_t r, std::size_t c) { return c < rows[r].size() ? rows[r][c] : std::string(); },
      right);
}

std::string format_table(const std::vector<std::string>& header, std::size_t n_rows,
                         const TableCell& cell, const std::vector<bool>& right) {
  const std::size_t columns = header.size();
  std::vector<std::size_t> width(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) width[c] = display_width(header[c]);
  for (std::size_t r = 0; r < n_rows; ++r)
    for (std::size_t c = 0; c < columns; ++c)
      width[c] = std::max(width[c], display_width(cell(r, c)));
  std::string out;
  auto add_line = [&](auto&& cell_of) {
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string text = cell_of(c);
      const std::string pad(width[c] - display_width(text), ' ');
      const bool align_right = c < right.size() && right[c];
      if (c) out += "  ";
      if (align_right) out += pad;
      out += text;
      if (!align_right && c + 1 < columns) out += pad;
    }
    out += '\n';
  };
  add_line([&](std::size_t c) { return header[c]; });
  for (std::size_t r = 0; r < n_rows; ++r) add_line([&](std::size_t c) { return cell(r, c); });
  return out;
}

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string with_commas(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int k = static_cast<int>(s.size()) - 3; k > 0; k -= 3)
    s.insert(static_cast<std::size_t>(k), ",");
  return s;
}

}  // namespace recsys
