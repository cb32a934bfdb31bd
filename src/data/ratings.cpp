#include "recsys/data/ratings.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "byte_ranges.hpp"
#include "csv_reader.hpp"
#include "csv_rows.hpp"
#include "plain_row.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/thread_parts.hpp"
#include "shared_read.hpp"

namespace recsys {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Ratings are almost always short decimals ("4", "3.5"): digits / 10^k is then
// exactly what from_chars returns (both integers are exact in a double and
// IEEE division rounds correctly), several times faster. Anything else
// (exponents, signs, long mantissas, nan, inf) goes to from_chars.
bool parse_short_decimal(std::string_view text, double& value) {
  if (text.empty() || text.size() > 15) return false;
  std::uint64_t mantissa = 0;
  int decimals = -1;
  for (const char c : text) {
    if (c == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    const unsigned digit = static_cast<unsigned char>(c) - '0';
    if (digit > 9) return false;
    mantissa = mantissa * 10 + digit;
    if (decimals >= 0) ++decimals;
  }
  if (decimals == 0 || text.front() == '.') return false;
  static constexpr double kPow10[] = {1,   10,  100,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  value = static_cast<double>(mantissa) / kPow10[decimals < 0 ? 0 : decimals];
  return true;
}

bool parse_double(std::string_view text, double& value) {
  text = trimmed(text);
  if (parse_short_decimal(text, value)) return true;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && !text.empty();
}

// Ratings are stored as float: anything beyond its range would become inf.
constexpr double kLargestRating = 3.0e38;
constexpr const char* kFixRow = "; fix or remove the row";

std::string shortest(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

bool parse_timestamp(std::string_view text, std::int64_t& value) {
  text = trimmed(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && !text.empty();
}

// Reads every row of one CSV source (header included) into emit(user index,
// item index, rating, timestamp), interning ids in users/items. Columns 3:
// user, item, rating. Columns 4: the same and the timestamp; the two are one
// template so that the common load reads no fourth field and pays nothing
// for it. Errors name path and the line within this source.
// Returns the separator the rows were read with.
template <unsigned Columns, typename Emit>
Separator read_rows(const std::string& path, std::unique_ptr<io::ByteSourceBase> source,
                    const LoadOptions& options, Separator separator, IdMap& users, IdMap& items,
                    Emit&& emit) {
  static_assert(Columns == 3 || Columns == 4);
  const ColumnNames& cols = options.columns;
  const FileLayout& layout = options.layout;
  try {
    CsvRows reader(std::move(source), separator);
    std::vector<std::string> names{cols.user, cols.item, cols.rating};
    if constexpr (Columns == 4) names.push_back(cols.timestamp);
    if (layout.header) {
      reader.read_header(names);
    } else {
      if (Columns == 4 && layout.positions[kTimestampColumn] < 0)
        throw Error(path, 0,
                    "--split user-time and --split time need a timestamp, and --columns names "
                    "none; add timestamp to --columns, or use --split random");
      reader.use_positions(std::span<const int>(layout.positions.data(), Columns));
    }
    // Files are usually grouped by user: reuse the previous user's index,
    // known by its text (last_user) or, from a plain row, by its value.
    std::string last_user;
    constexpr std::uint64_t kNoValue = ~std::uint64_t(0);
    std::uint64_t last_user_value = kNoValue;
    std::uint32_t last_user_index = 0;
    std::array<std::string_view, Columns> fields;
    const std::string_view& user_field = fields[0];
    const std::string_view& item_field = fields[1];
    const std::string_view& rating_field = fields[2];
    [[maybe_unused]] const std::string_view& time_field = fields[Columns - 1];
    PlainRow plain;
    char *begin = nullptr, *end = nullptr;
    for (;;) {
      if (reader.layout_known()) {
        const std::span<const char> unread = reader.unread();
        const char* next = parse_plain_line(unread.data(), unread.data() + unread.size(),
                                            reader.field_separator(), reader.columns(), plain);
        if (next && (!options.range ||
                     (plain.rating >= options.range->min && plain.rating <= options.range->max))) {
          reader.consume_line(next);
          try {
            if (plain.user_value != last_user_value) {
              last_user_index = users.intern_integer(plain.user_value, plain.user);
              last_user_value = plain.user_value;
              last_user.clear();
            }
            emit(last_user_index, items.intern_integer(plain.item_value, plain.item),
                 static_cast<float>(plain.rating), plain.time);
          } catch (const Error& e) {
            throw Error(path, reader.line(), e.message());
          }
          continue;
        }
      }
      // Any other row (or one to report an error on) the general way.
      if (!reader.next_row(begin, end)) break;
      const std::size_t line = reader.line();
      reader.split_row(begin, end, fields);
      const std::string_view user_token = trimmed(user_field);
      const std::string_view item_token = trimmed(item_field);
      if (user_token.empty()) throw Error(path, line, "empty " + cols.user + kFixRow);
      if (item_token.empty()) throw Error(path, line, "empty " + cols.item + kFixRow);
      double rating = 0;
      if (!parse_double(rating_field, rating))
        throw Error(path, line,
                    cols.rating + " " + quoted_field(rating_field) + " is not a number" + kFixRow);
      if (!std::isfinite(rating))
        throw Error(path, line,
                    cols.rating + " " + quoted_field(rating_field) + " is not finite" + kFixRow);
      if (std::abs(rating) > kLargestRating)
        throw Error(path, line,
                    cols.rating + " " + quoted_field(rating_field) +
                        " is too large (ratings must lie within -3e38..3e38)" + kFixRow);
      if (options.range && (rating < options.range->min || rating > options.range->max))
        throw Error(path, line,
                    cols.rating + " " + quoted_field(rating_field) + " is outside --rating-range " +
                        shortest(options.range->min) + "," + shortest(options.range->max) +
                        " (fix the row, or widen the range)");
      std::int64_t time = 0;
      if constexpr (Columns == 4) {
        if (trimmed(time_field).empty())
          throw Error(path, line, "empty " + cols.timestamp + kFixRow);
        if (!parse_timestamp(time_field, time))
          throw Error(path, line,
                      cols.timestamp + " " + quoted_field(time_field) +
                          " is not a whole number (such as Unix seconds)" + kFixRow);
      }
      try {
        if (last_user.empty() || user_token != last_user) {
          last_user_index = users.intern(user_token);
          last_user.assign(user_token);
          last_user_value = kNoValue;
        }
        emit(last_user_index, items.intern(item_token), static_cast<float>(rating), time);
      } catch (const Error& e) {
        throw Error(path, line, e.message());  // the id map's own error knows no file
      }
    }
    return reader.separator();
  } catch (const io::error::base& e) {
    const auto* missing = dynamic_cast<const io::error::missing_column_in_header*>(&e);
    if (Columns == 4 && missing && cols.timestamp == missing->column_name)
      throw Error(path, 1,
                  "missing column '" + cols.timestamp +
                      "' in the header: --split user-time and --split time order the ratings by "
                      "it; name the column with --timestamp-col, or use --split random");
    throw_csv_error(path, e, cols.user + "," + cols.item + "," + cols.rating,
                    "--user-col/--item-col/--rating-col", layout.header);
  }
}

// One range's rows as they are parsed, in blocks of kBlockRows, so that the
// merge can free each block as soon as it is copied: the rows are never held
// twice over.
struct RowBlocks {
  static constexpr std::size_t kBlockRows = std::size_t(1) << 20;
  std::vector<Ratings> rows;
  std::vector<std::vector<std::int64_t>> times;
  // The most rows the range can still hold (a row takes at least 6 bytes):
  // a small range reserves no megabyte block.
  std::size_t room = kBlockRows;
  void add(std::uint32_t u, std::uint32_t i, float r, std::int64_t t, bool timed) {
    if (rows.empty() || rows.back().size() == kBlockRows) {
      const std::size_t n = std::min(kBlockRows, room);
      room -= std::min(room, kBlockRows);
      rows.emplace_back().reserve(n);
      if (timed) times.emplace_back().reserve(n);
    }
    rows.back().push(u, i, r);
    if (timed) times.back().push_back(t);
  }
  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& b : rows) n += b.size();
    return n;
  }
};

// The rows of `split`'s ranges, one thread each, appended to out in file
// order with ids in order of first appearance, exactly as one sequential
// read would give them. Range 0 interns into users/items directly; every
// later range into maps of its own, merged in range order afterwards.
template <unsigned Columns>
void read_ranges(const std::string& path, const SplitFile& split, const LoadOptions& options,
                 Separator separator, IdMap& users, IdMap& items, Ratings& out,
                 std::vector<std::int64_t>* timestamps) {
  const std::size_t parts = split.ranges.size();
  std::vector<RowBlocks> parsed(parts);
  for (std::size_t k = 0; k < parts; ++k)
    parsed[k].room = static_cast<std::size_t>(split.ranges[k].end - split.ranges[k].begin) / 6 + 1;
  std::vector<IdMap> local_users(parts), local_items(parts);
  // Range 0 goes straight into out, so only the later ranges are ever
  // copied; out is reserved for the whole file at the sequential read's
  // estimate (untouched capacity costs no memory).
  const std::size_t estimate =
      out.size() +
      static_cast<std::size_t>(split.ranges.back().end - split.ranges.front().begin) / 20;
  out.reserve(estimate);
  if (timestamps) timestamps->reserve(estimate);
  auto parse = [&](std::size_t k) {
    if (k == 0)
      read_rows<Columns>(path, open_range(split, split.ranges[0]), options, separator, users, items,
                         [&](std::uint32_t u, std::uint32_t i, float r, std::int64_t t) {
                           out.push(u, i, r);
                           if (timestamps) timestamps->push_back(t);
                         });
    else
      read_rows<Columns>(path, open_range(split, split.ranges[k]), options, separator,
                         local_users[k], local_items[k],
                         [&](std::uint32_t u, std::uint32_t i, float r, std::int64_t t) {
                           parsed[k].add(u, i, r, t, timestamps != nullptr);
                         });
  };
  const std::vector<std::exception_ptr> failed = run_thread_parts(parts, parse);
  // The first failure in file order is the one a sequential read meets; a
  // range's line L (its line 1 is the header) is the file's L plus the
  // lines of the ranges before it.
  for (std::size_t k = 0; k < parts; ++k) {
    if (!failed[k]) continue;
    try {
      std::rethrow_exception(failed[k]);
    } catch (const Error& e) {
      if (e.line() == 0 || (options.layout.header && e.line() == 1)) throw;
      std::size_t before = 0;
      for (std::size_t j = 0; j < k; ++j) before += count_newlines(split, split.ranges[j]);
      throw Error(e.file(), e.line() + before, e.message(), e.kind());
    }
  }
  std::size_t total = out.size();
  for (const auto& p : parsed) total += p.size();
  out.reserve(total);
  if (timestamps) timestamps->reserve(total);
  // Each later range's ids, interned in range order: local index -> global.
  std::vector<std::vector<std::uint32_t>> user_of(parts), item_of(parts);
  for (std::size_t k = 1; k < parts; ++k) {
    for (std::uint32_t j = 0; j < local_users[k].size(); ++j)
      user_of[k].push_back(users.intern(local_users[k].token(j)));
    for (std::uint32_t j = 0; j < local_items[k].size(); ++j)
      item_of[k].push_back(items.intern(local_items[k].token(j)));
  }
  // The columns are separate arrays, so two threads append them at once,
  // each block's column freed as soon as it is copied. The users' thread
  // cannot throw: out.user was reserved above.
  std::jthread users_thread([&] {
    for (std::size_t k = 1; k < parts; ++k)
      for (Ratings& block : parsed[k].rows) {
        for (const auto u : block.user) out.user.push_back(user_of[k][u]);
        std::vector<std::uint32_t>().swap(block.user);
      }
  });
  for (std::size_t k = 1; k < parts; ++k)
    for (std::size_t b = 0; b < parsed[k].rows.size(); ++b) {
      Ratings& block = parsed[k].rows[b];
      for (const auto i : block.item) out.item.push_back(item_of[k][i]);
      std::vector<std::uint32_t>().swap(block.item);
      out.stars.append(block.stars);
      block.stars.clear_and_free();
      if (timestamps) {
        auto& times = parsed[k].times[b];
        timestamps->insert(timestamps->end(), times.begin(), times.end());
        std::vector<std::int64_t>().swap(times);
      }
    }
}

// Says which separator was found, when it was not the CSV default.
void log_separator(const std::string& path, const LoadOptions& options, Separator found) {
  if (options.layout.separator == Separator::automatic && found != Separator::comma)
    spdlog::info("{}: fields separated by {} (found on its first line; --sep chooses)", path,
                 separator_name(found));
}

template <unsigned Columns>
void load_rows(const std::string& path, const LoadOptions& options, IdMap& users, IdMap& items,
               Ratings& out, std::vector<std::int64_t>* timestamps) {
  require_csv_file(path);
  struct stat st {};
  const bool regular = path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  const auto bytes = regular ? static_cast<std::size_t>(st.st_size) : 0;
  if (options.threads > 1 && regular && bytes >= options.parallel_above_bytes &&
      !is_gzip_file(path)) {
    // A range per thread, within reason (--threads goes up to 1024).
    constexpr int kMostRanges = 64;
    const int parts = std::min(options.threads, kMostRanges);
    const SplitFile split = split_lines(path, parts, options.layout.header);
    if (split.ranges.size() > 1) {
      const Separator separator = options.layout.separator == Separator::automatic
                                      ? detect_separator(split.header)
                                      : options.layout.separator;
      read_ranges<Columns>(path, split, options, separator, users, items, out, timestamps);
      log_separator(path, options, separator);
      return;
    }
  }
  // MovieLens rows are 20-30 bytes; reserving for 20 avoids regrowth (which
  // would briefly double the arrays), and untouched capacity costs no memory.
  if (bytes > 0) {
    out.reserve(out.size() + bytes / 20);
    if (timestamps) timestamps->reserve(timestamps->size() + bytes / 20);
  }
  const Separator found =
      read_rows<Columns>(path, open_csv(path), options, options.layout.separator, users, items,
                         [&](std::uint32_t u, std::uint32_t i, float r, std::int64_t t) {
                           out.push(u, i, r);
                           if (timestamps) timestamps->push_back(t);
                         });
  log_separator(path, options, found);
}

}  // namespace

Separator read_range(const std::string& path, const SplitFile& split, std::size_t range,
                     const LoadOptions& options, IdMap& users, IdMap& items, Ratings& out,
                     std::vector<std::int64_t>* timestamps) {
  const Separator separator = options.layout.separator == Separator::automatic
                                  ? detect_separator(split.header)
                                  : options.layout.separator;
  const auto emit = [&](std::uint32_t u, std::uint32_t i, float r, std::int64_t t) {
    out.push(u, i, r);
    if (timestamps) timestamps->push_back(t);
  };
  auto source = open_range(split, split.ranges[range]);
  return timestamps ? read_rows<4>(path, std::move(source), options, separator, users, items, emit)
                    : read_rows<3>(path, std::move(source), options, separator, users, items, emit);
}

void log_found_separator(const std::string& path, const LoadOptions& options, Separator found) {
  log_separator(path, options, found);
}

void load_ratings(const std::string& path, const LoadOptions& options, IdMap& users, IdMap& items,
                  Ratings& out) {
  load_rows<3>(path, options, users, items, out, nullptr);
}

void load_ratings(const std::string& path, const LoadOptions& options, IdMap& users, IdMap& items,
                  Ratings& out, std::vector<std::int64_t>& timestamps) {
  load_rows<4>(path, options, users, items, out, &timestamps);
}

RatingRange parse_rating_range(const std::string& text) {
  const auto comma = text.find(',');
  RatingRange range{};
  if (comma == std::string::npos ||
      !parse_double(std::string_view(text).substr(0, comma), range.min) ||
      !parse_double(std::string_view(text).substr(comma + 1), range.max) ||
      !(std::abs(range.min) <= kLargestRating) || !(std::abs(range.max) <= kLargestRating) ||
      !(range.min < range.max))
    throw Error("--rating-range '" + text + "': expected MIN,MAX with MIN < MAX, e.g. 0.5,5");
  return range;
}

}  // namespace recsys
