// The loader's plain-row reader: a row it accepts must give exactly what the
// general reader gives (ids by value, the rating as from_chars rounds it, the
// timestamp), and every row it declines goes to the general reader, which
// keeps its error messages.
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "../src/data/plain_row.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"

namespace {

const std::vector<int> kUserItemRatingTime{0, 1, 2, 3};
const std::vector<int> kUserItemRating{0, 1, 2, -1};  // the timestamp not read

// The line as the row reader's buffer holds it: followed by its newline and
// the next line, which the parser must leave alone.
bool parse(const std::string& line, recsys::PlainRow& row,
           const std::vector<int>& columns = kUserItemRatingTime, char separator = ',') {
  static std::string buffer;
  buffer = line + "\n12345678";
  const char* begin = buffer.data();
  const char* next =
      recsys::parse_plain_line(begin, begin + buffer.size(), separator, columns, row);
  if (next) CHECK(next == begin + line.size() + 1);
  return next != nullptr;
}

bool plain(const std::string& line, const std::vector<int>& columns = kUserItemRatingTime) {
  recsys::PlainRow row;
  return parse(line, row, columns);
}

}  // namespace

TEST_CASE("a plain row gives its ids, rating and timestamp", "[load][plain]") {
  // The row's ids are views into the buffer of the last parse.
  recsys::PlainRow row;
  REQUIRE(parse("42,1193,3.5,978300760", row));
  CHECK(row.user == "42");
  CHECK(row.user_value == 42u);
  CHECK(row.item == "1193");
  CHECK(row.item_value == 1193u);
  CHECK(row.rating == 3.5);
  CHECK(row.time == 978300760);

  REQUIRE(parse("0,999999999999999999,10,0", row));  // 18 digits: the longest id keyed by value
  CHECK(row.user_value == 0u);
  CHECK(row.item_value == 999999999999999999u);
  CHECK(row.rating == 10.0);

  REQUIRE(parse("7\t8\t0.25\t-", row, kUserItemRating, '\t'));  // an unread field may hold anything
  CHECK(row.user_value == 7u);
  CHECK(row.item_value == 8u);
  CHECK(row.rating == 0.25);

  REQUIRE(parse("123456789,12345678,1234567890.125,1", row));
  CHECK(row.user_value == 123456789u);
  CHECK(row.item_value == 12345678u);
  CHECK(row.rating == 1234567890.125);

  CHECK(parse("5,6,4.", row, {0, 1, -1}));         // the rating not read
  REQUIRE(parse("5,6,1,", row, kUserItemRating));  // an empty unread last field
  CHECK(row.rating == 1.0);
}

TEST_CASE("rows the general reader must see are declined", "[load][plain]") {
  CHECK_FALSE(plain("42,1193,3.5"));      // too few fields
  CHECK_FALSE(plain("42,1193,3.5,1,2"));  // too many
  CHECK_FALSE(plain(",1193,3.5,1"));      // empty id
  CHECK_FALSE(plain("42,,3.5,1"));        // empty item
  CHECK_FALSE(plain("42,1,,1"));          // empty rating
  CHECK_FALSE(plain("42,1,3,"));          // empty timestamp
  CHECK_FALSE(plain(" 42,1,3,1"));        // blanks are trimmed there
  CHECK_FALSE(plain("42,1,3 ,1"));
  CHECK_FALSE(plain("\"42\",1,3,1"));  // quotes
  CHECK(plain("42,1,3,1", kUserItemRating));
  CHECK_FALSE(plain("42,1,3,\"a,b\"", kUserItemRating));  // a quote in an unread field
  CHECK_FALSE(plain("042,1,3,1"));                        // not canonical: an id by its text
  CHECK_FALSE(plain("42,01,3,1"));
  CHECK_FALSE(plain("1234567890123456789,1,3,1"));  // 19 digits: hashed as text
  CHECK_FALSE(plain("u42,1,3,1"));
  CHECK_FALSE(plain("-1,1,3,1"));
  CHECK_FALSE(plain("1,1,.5,1"));  // from_chars's forms
  CHECK_FALSE(plain("1,1,5.,1"));
  CHECK_FALSE(plain("1,1,3.5.1,1"));
  CHECK_FALSE(plain("1,1,1e3,1"));
  CHECK_FALSE(plain("1,1,+3,1"));
  CHECK_FALSE(plain("1,1,-3,1"));
  CHECK_FALSE(plain("1,1,nan,1"));
  CHECK_FALSE(plain("1,1,1234567890.12345,1"));  // 16 characters
  CHECK_FALSE(plain("1,1,3,+5"));
  CHECK_FALSE(plain("1,1,3,-5"));
  CHECK_FALSE(plain("1,1,3,1234567890123456789"));  // could overflow
  CHECK_FALSE(plain("1,1,3,1\r\r"));                // only one '\r' is part of the newline
  CHECK_FALSE(plain("1,1,3\r,1"));
  CHECK_FALSE(plain(std::string("1,1,3,a\0b", 9), kUserItemRating));  // a NUL ends the line
  CHECK_FALSE(plain(std::string("1,1\0,3,1", 9)));
  CHECK_FALSE(plain(""));  // blank lines are skipped there
  CHECK_FALSE(plain(" "));
}

TEST_CASE("a plain row ends with its newline, within what was read", "[load][plain]") {
  recsys::PlainRow row;
  const std::string crlf = "1,2,3,4\r\n5";
  CHECK(recsys::parse_plain_line(crlf.data(), crlf.data() + crlf.size(), ',', kUserItemRatingTime,
                                 row) == crlf.data() + 9);
  for (const std::string cut : {"1,2,3,4", "1,2,3,4\r", "1,2,3", "1,2"})  // not read to its end
    CHECK(recsys::parse_plain_line(cut.data(), cut.data() + cut.size(), ',', kUserItemRatingTime,
                                   row) == nullptr);
  const std::string line = "1,2,3,4\n";
  CHECK(recsys::parse_plain_line(line.data(), line.data() + line.size(), '\0', kUserItemRatingTime,
                                 row) == nullptr);  // "::"
}

TEST_CASE("an accepted row reads as the general reader reads it", "[load][plain][hardening]") {
  // Random lines of four fields of digits, dots and a few other bytes
  // (sometimes a field more or less): whenever the plain reader accepts one,
  // splitting at the separator and from_chars (what the general reader does
  // with a field that needs no trimming or unquoting) give the same values.
  recsys::Rng rng(11);
  const std::string alphabet =
      "012345678901234567890123456789012345678901234567890123456789.. \"x+-e";
  int accepted = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string line;
    const auto field_count = 3 + rng.below(3);
    for (std::uint64_t f = 0; f < field_count; ++f) {
      if (f > 0) line += ',';
      for (auto length = rng.below(12); length > 0; --length)
        line += alphabet[rng.below(alphabet.size())];
    }
    recsys::PlainRow row;
    if (!parse(line, row)) continue;
    ++accepted;
    std::vector<std::string> fields(1);
    for (const char c : line) {
      if (c == ',')
        fields.emplace_back();
      else
        fields.back() += c;
    }
    REQUIRE(fields.size() == 4);
    INFO(line);
    std::uint64_t user = 0, item = 0;
    double rating = 0;
    std::int64_t time = 0;
    const auto whole = [](const std::string& f, auto& value) {
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
      return ec == std::errc() && end == f.data() + f.size();
    };
    REQUIRE(whole(fields[0], user));
    REQUIRE(whole(fields[1], item));
    REQUIRE(whole(fields[2], rating));
    REQUIRE(whole(fields[3], time));
    CHECK(row.user == fields[0]);
    CHECK(row.user_value == user);
    CHECK(row.item == fields[1]);
    CHECK(row.item_value == item);
    CHECK(row.rating == rating);
    CHECK(row.time == time);
  }
  CHECK(accepted > 1000);  // the alphabet makes plain rows common enough to test
}

TEST_CASE("a file loads the same whether its rows are plain or quoted", "[load][plain]") {
  // Quoting every field sends every row to the general reader: the two
  // loads, one thread and three, must agree row for row and id for id
  // (with LF and CRLF lines, and blank lines in the plain file).
  recsys::Rng rng(12);
  std::string plain_text = "userId,movieId,rating,timestamp\n";
  std::string quoted_text = plain_text;
  for (int k = 0; k < 3000; ++k) {
    const std::string user = std::to_string(rng.below(200)), item = std::to_string(rng.below(90));
    const std::string rating = std::to_string(rng.below(10) / 2) + (rng.below(2) ? ".5" : "");
    const std::string time = std::to_string(rng.below(2000000000));
    const std::string newline = k % 3 == 0 ? "\r\n" : "\n";
    plain_text += user + "," + item + "," + rating + "," + time + newline;
    quoted_text +=
        "\"" + user + "\",\"" + item + "\",\"" + rating + "\",\"" + time + "\"" + newline;
    if (k % 500 == 0) plain_text += "\n";  // a blank line: skipped, not plain
  }
  test_support::TempDir dir;
  const std::string plain_path = dir.write("plain.csv", plain_text);
  const std::string quoted_path = dir.write("quoted.csv", quoted_text);
  for (const int threads : {1, 3}) {
    recsys::LoadOptions options;
    options.threads = threads;
    options.parallel_above_bytes = 1;
    recsys::IdMap plain_users, plain_items, quoted_users, quoted_items;
    recsys::Ratings plain_rows, quoted_rows;
    std::vector<std::int64_t> plain_times, quoted_times;
    recsys::load_ratings(plain_path, options, plain_users, plain_items, plain_rows, plain_times);
    recsys::load_ratings(quoted_path, options, quoted_users, quoted_items, quoted_rows,
                         quoted_times);
    REQUIRE(plain_rows.size() == 3000);
    CHECK(plain_rows.user == quoted_rows.user);
    CHECK(plain_rows.item == quoted_rows.item);
    CHECK(plain_rows.stars == quoted_rows.stars);
    CHECK(plain_times == quoted_times);
    CHECK(plain_users.tokens() == quoted_users.tokens());
    CHECK(plain_items.tokens() == quoted_items.tokens());
  }
}
