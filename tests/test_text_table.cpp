// Text tables: widths by display width (UTF-8 counted by code point), right
// alignment, and the on-demand form giving the same text as the vector form.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recsys/output/text_table.hpp"

using recsys::format_table;

TEST_CASE("a table pads columns to their widest cell, numbers right-aligned", "[text_table]") {
  const std::vector<std::vector<std::string>> rows{{"1", "Amélie (2001)", "4.50"},
                                                   {"22", "Up", "3.00"}};
  // Widths: 4 ("rank"), 13 ("Amélie (2001)" is 13 code points in 14 bytes), 5 ("score").
  const std::string expected =
      "rank  title          score\n"
      "   1  Amélie (2001)   4.50\n"
      "  22  Up              3.00\n";
  CHECK(format_table({"rank", "title", "score"}, rows, {true, false, true}) == expected);
}

TEST_CASE("the on-demand table equals the vector table", "[text_table]") {
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < 50; ++r)
    rows.push_back({std::to_string(r * r), std::string(static_cast<std::size_t>(r % 7), 'x'), "é"});
  const std::vector<std::string> header{"n", "xs", "accent"};
  const std::vector<bool> right{true, false, false};
  int calls = 0;
  const std::string lazy = format_table(
      header, rows.size(),
      [&](std::size_t r, std::size_t c) {
        ++calls;
        return rows[r][c];
      },
      right);
  CHECK(lazy == format_table(header, rows, right));
  CHECK(calls == 2 * 50 * 3);  // each cell made twice: widths, then text
  CHECK(format_table(header, 0, [](std::size_t, std::size_t) { return std::string("never"); }) ==
        "n  xs  accent\n");
}
