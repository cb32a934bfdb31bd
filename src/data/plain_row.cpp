#include "plain_row.hpp"

#include <cstddef>

namespace recsys {
namespace {

constexpr std::size_t kLongestId = 18;      // IdMap keys integers below 10^18 by value
constexpr std::size_t kLongestRating = 15;  // as parse_short_decimal
constexpr std::size_t kLongestTime = 18;    // below 10^18: no overflow, no sign

unsigned digit_of(char c) { return static_cast<unsigned>(static_cast<unsigned char>(c) - '0'); }

// The digits from p up to the separator or end, as an integer; p stops there.
// False when the field is empty, too long, or holds anything but digits.
bool read_integer(const char*& p, const char* end, char separator, std::size_t longest,
                  std::uint64_t& value) {
  const char* const first = p;
  std::uint64_t v = 0;
  for (; p != end && *p != separator; ++p) {
    const unsigned d = digit_of(*p);
    if (d > 9) return false;
    v = v * 10 + d;
  }
  const auto length = static_cast<std::size_t>(p - first);
  if (length == 0 || length > longest) return false;
  value = v;
  return true;
}

// An id as IdMap reads it by value: digits, no leading zero but in "0".
bool read_id(const char*& p, const char* end, char separator, std::string_view& text,
             std::uint64_t& value) {
  const char* const first = p;
  if (!read_integer(p, end, separator, kLongestId, value)) return false;
  text = {first, static_cast<std::size_t>(p - first)};
  return text.size() == 1 || text.front() != '0';
}

// A rating as parse_short_decimal reads it: digits with at most one '.',
// neither first nor last; mantissa / 10^decimals, both exact in a double,
// so the one rounding is the division's, as from_chars would round.
bool read_rating(const char*& p, const char* end, char separator, double& value) {
  const char* const first = p;
  std::uint64_t mantissa = 0;
  const char* point = nullptr;
  for (; p != end && *p != separator; ++p) {
    if (*p == '.' && !point) {
      point = p;
      continue;
    }
    const unsigned d = digit_of(*p);
    if (d > 9) return false;
    mantissa = mantissa * 10 + d;
  }
  const auto length = static_cast<std::size_t>(p - first);
  if (length == 0 || length > kLongestRating || point == first || point == p - 1) return false;
  static constexpr double kPow10[] = {1,   10,  100,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  value = static_cast<double>(mantissa) / kPow10[point ? p - point - 1 : 0];
  return true;
}

// A field no value is read from: anything but a quote, which would make the
// general reader cut the line elsewhere.
bool skip_field(const char*& p, const char* end, char separator) {
  for (; p != end && *p != separator; ++p)
    if (*p == '"') return false;
  return true;
}

}  // namespace

bool parse_plain_row(const char* begin, const char* end, char separator,
                     std::span<const int> column_of, PlainRow& row) {
  const char* p = begin;
  for (std::size_t field = 0; field < column_of.size(); ++field) {
    if (field > 0) {
      if (p == end) return false;  // too few fields
      ++p;                         // the separator
    }
    bool ok = false;
    switch (column_of[field]) {
      case 0:
        ok = read_id(p, end, separator, row.user, row.user_value);
        break;
      case 1:
        ok = read_id(p, end, separator, row.item, row.item_value);
        break;
      case 2:
        ok = read_rating(p, end, separator, row.rating);
        break;
      case 3: {
        std::uint64_t time = 0;
        ok = read_integer(p, end, separator, kLongestTime, time);
        row.time = static_cast<std::int64_t>(time);
        break;
      }
      default:
        ok = skip_field(p, end, separator);
    }
    if (!ok) return false;
  }
  return p == end;  // else too many fields
}

}  // namespace recsys
