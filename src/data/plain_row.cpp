#include "plain_row.hpp"

#include <array>
#include <cstddef>

namespace recsys {
namespace {

constexpr std::size_t kLongestId = 18;      // IdMap keys integers below 10^18 by value
constexpr std::size_t kLongestRating = 15;  // as parse_short_decimal
constexpr std::size_t kLongestTime = 18;    // below 10^18: no overflow, no sign

// The run of digits at p as an integer (it may overflow when longer than
// 19 digits: callers reject such runs by length); p stops at the first
// other byte, or at limit. Returns the run's length.
std::size_t digit_run(const char*& p, const char* limit, std::uint64_t& value) {
  const char* const first = p;
  std::uint64_t v = 0;
  for (; p != limit; ++p) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0');
    if (digit > 9) break;
    v = v * 10 + digit;
  }
  value = v;
  return static_cast<std::size_t>(p - first);
}

// An id as IdMap reads it by value: digits, no leading zero but in "0".
bool read_id(const char*& p, const char* limit, std::string_view& text, std::uint64_t& value) {
  const char* const first = p;
  const std::size_t length = digit_run(p, limit, value);
  text = {first, length};
  return length > 0 && length <= kLongestId && (length == 1 || *first != '0');
}

// Ratings of up to three decimals below 1024 (all of a star scale), divided
// once here rather than per row; the division is the one the row would do.
constexpr std::size_t kTableDecimals = 3, kTableMantissas = 1024;
constexpr double kPow10[] = {1,   10,  100,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
using SmallRatings = std::array<std::array<double, kTableMantissas>, kTableDecimals>;
const SmallRatings& small_ratings() {
  static const SmallRatings table = [] {
    SmallRatings t{};
    for (std::size_t d = 0; d < kTableDecimals; ++d)
      for (std::size_t m = 0; m < kTableMantissas; ++m)
        t[d][m] = static_cast<double>(m) / kPow10[d];
    return t;
  }();
  return table;
}

// A rating as parse_short_decimal reads it: digits with at most one '.',
// neither first nor last, 15 characters at most; mantissa / 10^decimals,
// both exact in a double, so the one rounding is the division's, as
// from_chars would round.
bool read_rating(const char*& p, const char* limit, double& value) {
  std::uint64_t whole = 0, fraction = 0;
  const std::size_t whole_digits = digit_run(p, limit, whole);
  std::size_t decimals = 0;
  if (whole_digits == 0 || whole_digits > kLongestRating) return false;
  if (p != limit && *p == '.') {
    ++p;
    decimals = digit_run(p, limit, fraction);
    if (decimals == 0 || whole_digits + 1 + decimals > kLongestRating) return false;
  }
  const std::uint64_t mantissa = whole * static_cast<std::uint64_t>(kPow10[decimals]) + fraction;
  value = decimals < kTableDecimals && mantissa < kTableMantissas
              ? small_ratings()[decimals][mantissa]
              : static_cast<double>(mantissa) / kPow10[decimals];
  return true;
}

bool read_time(const char*& p, const char* limit, std::int64_t& value) {
  std::uint64_t v = 0;
  const std::size_t length = digit_run(p, limit, v);
  value = static_cast<std::int64_t>(v);
  return length > 0 && length <= kLongestTime;
}

// A field no value is read from: any bytes up to the separator or the line's
// end but a quote (the general reader would cut the line elsewhere) and a
// NUL (it would end the line there).
bool skip_field(const char*& p, const char* limit, char separator) {
  for (; p != limit; ++p) {
    const char c = *p;
    if (c == separator || c == '\n' || c == '\r') return true;
    if (c == '"' || c == '\0') return false;
  }
  return true;
}

}  // namespace

const char* parse_plain_line(const char* p, const char* limit, char separator,
                             std::span<const int> column_of, PlainRow& row) {
  if (separator == '\0') return nullptr;
  for (std::size_t field = 0; field < column_of.size(); ++field) {
    if (field > 0) {
      if (p == limit || *p != separator) return nullptr;  // too few fields, or a field goes on
      ++p;
    }
    bool ok = false;
    switch (column_of[field]) {
      case 0:
        ok = read_id(p, limit, row.user, row.user_value);
        break;
      case 1:
        ok = read_id(p, limit, row.item, row.item_value);
        break;
      case 2:
        ok = read_rating(p, limit, row.rating);
        break;
      case 3:
        ok = read_time(p, limit, row.time);
        break;
      default:
        ok = skip_field(p, limit, separator);
    }
    if (!ok) return nullptr;
  }
  // The line ends here: "\n" or "\r\n" (else too many fields, a field that
  // goes on, or a line not yet read to its end).
  if (p != limit && *p == '\r') ++p;
  if (p == limit || *p != '\n') return nullptr;
  return p + 1;
}

}  // namespace recsys
