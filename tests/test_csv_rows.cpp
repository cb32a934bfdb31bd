// recsys's own CSV row reader against fast-cpp-csv-parser, which it replaced
// for ratings: on random text made of the characters that matter (separators,
// quotes, blanks, CR, LF, NUL, a BOM), both give the same fields, the same
// line numbers and the same kind of error at the same line.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "../src/data/csv_reader.hpp"
#include "../src/data/csv_rows.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

namespace {

// What a reader made of a file: each row's fields and line, then how it ended.
struct Outcome {
  std::vector<std::string> rows;
  std::string end;
  bool operator==(const Outcome&) const = default;
};

std::string ending(const io::error::base& e) {
  int line = 0;
  if (auto* l = dynamic_cast<const io::error::with_file_line*>(&e)) line = l->file_line;
  std::string column;
  if (auto* c = dynamic_cast<const io::error::with_column_name*>(&e)) column = c->column_name;
  return std::string(typeid(e).name()) + " line " + std::to_string(line) + " " + column;
}

const std::vector<std::string> kNames{"u", "i", "r"};

Outcome with_parser(const std::string& path) {
  Outcome out;
  try {
    recsys::CsvReader<3> reader(path, recsys::open_csv(path));
    reader.read_header(io::ignore_extra_column, kNames[0], kNames[1], kNames[2]);
    char *a = nullptr, *b = nullptr, *c = nullptr;
    while (reader.read_row(a, b, c))
      out.rows.push_back(std::to_string(reader.get_file_line()) + ":[" + a + "][" + b + "][" + c +
                         "]");
    out.end = "end";
  } catch (const io::error::base& e) {
    out.end = ending(e);
  }
  return out;
}

Outcome with_rows(const std::string& path) {
  Outcome out;
  try {
    recsys::CsvRows reader(recsys::open_csv(path));
    reader.read_header(kNames);
    std::array<std::string_view, 3> f;
    while (reader.read_row(f))
      out.rows.push_back(std::to_string(reader.line()) + ":[" + std::string(f[0]) + "][" +
                         std::string(f[1]) + "][" + std::string(f[2]) + "]");
    out.end = "end";
  } catch (const io::error::base& e) {
    out.end = ending(e);
  }
  return out;
}

std::string random_text(recsys::Rng& rng, std::size_t n) {
  static const std::string pieces[] = {"1",        "23",      "x",
                                       ",",        ",",       ",",
                                       "\"",       "\"\"",    " ",
                                       "\t",       "\r",      "\n",
                                       "\n",       "\n",      std::string(1, '\0'),
                                       "u",        "i",       "r",
                                       "u,i,r\n",  "1,2,3\n", "4, x ,\"5\"\n",
                                       "6,7,8\r\n"};
  std::string s = rng.below(4) == 0 ? "\xEF\xBB\xBF" : "";
  if (rng.below(2)) s += "u,i,r\n";
  while (s.size() < n) s += pieces[rng.below(std::size(pieces))];
  return s;
}

}  // namespace

TEST_CASE("csv rows: the same fields, lines and errors as fast-cpp-csv-parser", "[ratings][csv]") {
  test_support::TempDir dir;
  recsys::Rng rng(2024);
  int rows_seen = 0, errors_seen = 0;
  for (int k = 0; k < 3000; ++k) {
    const std::string text = random_text(rng, 1 + rng.below(80));
    const std::string path = dir.write("r.csv", text);
    Outcome want = with_parser(path), got = with_rows(path);
    // The parser leaves the line of an error in the header unset (-1); ours
    // names it, which the error message then shows.
    if (const auto at = want.end.find(" line -1 "); at != std::string::npos) {
      CHECK(got.end.substr(0, at) == want.end.substr(0, at));
      got.end = want.end;
    }
    INFO("file #" << k << ": " << recsys::quoted_field(text));
    CHECK(got.rows == want.rows);
    CHECK(got.end == want.end);
    rows_seen += static_cast<int>(want.rows.size());
    errors_seen += want.end != "end";
  }
  // The generator reaches both rows and errors.
  CHECK(rows_seen > 1000);
  CHECK(errors_seen > 300);
}

TEST_CASE("csv rows: lines that span many reads, and one longer than the limit", "[ratings][csv]") {
  test_support::TempDir dir;
  std::string text = "u,r,i\n";
  for (int k = 0; k < 200000; ++k)
    text +=
        std::to_string(k) + "," + std::to_string(k % 10) + ",\"" + std::to_string(k * 7) + "\"\n";
  text += "1," + std::string(3u << 20, '5') + ",2\n";  // longer than the first buffer
  const std::string path = dir.write("r.csv", text);
  CHECK(with_rows(path) == with_parser(path));
  CHECK(with_rows(path).rows.size() == 200001u);
  const std::string too_long = dir.write(
      "long.csv", "u,i,r\n1,2,3\n" + std::string(recsys::CsvRows::kLongestLine, 'x') + "\n");
  CHECK_THAT(with_rows(too_long).end, Catch::Contains("line 3"));
  CHECK(with_rows(too_long).rows.size() == 1u);
}
