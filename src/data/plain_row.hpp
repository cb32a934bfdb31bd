#pragma once
// The common spelling of a ratings row, read in one pass over its bytes
// straight from the row reader's buffer, its newline found on the way: every
// field the loader uses is bare ASCII digits (the rating may hold one '.'),
// fields are separated by one byte, and no field holds a quote. Such a row
// needs none of the general reader's work (finding the line, then its
// fields, quotes, trimming, text ids), and yields exactly what that reader
// would: the ids as the integers IdMap
// keys them by, the rating as parse_short_decimal's double, the timestamp as
// its value. Any other row is left to the general reader, which also words
// the errors.
#include <cstdint>
#include <span>
#include <string_view>

namespace recsys {

struct PlainRow {
  std::string_view user, item;  // the ids as written: canonical integers
  std::uint64_t user_value = 0, item_value = 0;
  double rating = 0;
  std::int64_t time = 0;  // set only when a field is named the timestamp (3)
};

// Reads a plain row that starts at p and ends, before limit, with "\n" or
// "\r\n"; returns where the next line starts. column_of holds, per field of
// the line, which value it is (0 user, 1 item, 2 rating, 3 timestamp) or -1
// for a field not read; the line must have exactly that many fields.
// nullptr when the line is not plain (or separator is '\0', for a separator
// of more than one byte), or its newline is not before limit.
const char* parse_plain_line(const char* p, const char* limit, char separator,
                             std::span<const int> column_of, PlainRow& row);

}  // namespace recsys
