#pragma once
// How a ratings file lays out its rows: the separator between fields and
// whether a header line names the columns. MovieLens alone ships three
// layouts (ml-latest's CSV with a header, 100K's tab-separated u.data and
// 1M's '::'-separated ratings.dat, both without one), and users hand us all
// of them.
#include <array>
#include <string>
#include <string_view>

namespace recsys {

enum class Separator { automatic, comma, tab, double_colon, semicolon };

// The four columns a ratings file can hold, in the order of their positions below.
enum RatingColumn { kUserColumn = 0, kItemColumn = 1, kRatingColumn = 2, kTimestampColumn = 3 };

struct FileLayout {
  Separator separator = Separator::automatic;
  bool header = true;
  // Without a header: the field of a line that holds each RatingColumn, -1
  // for none (the timestamp may be absent). Ignored with a header.
  std::array<int, 4> positions = {0, 1, 2, 3};
};

// "auto", ",", "tab" (or a tab character), "::", ";"; throws Error on anything else.
Separator parse_separator(const std::string& text);
// The separator as the options spell it, for logs: "','", "tab", "'::'", "';'", "auto".
std::string separator_name(Separator separator);

// "user,item,rating[,timestamp]" in any order, with "skip" for a field to
// ignore: each column's field. user and item are required, and rating when
// rating_required. Throws Error.
std::array<int, 4> parse_column_order(const std::string& text, bool rating_required = true);

// The separator of a file whose first line is `line`: '::' when it holds
// "::", else whichever of tab, ',' and ';' it holds most often outside
// quotes (',' when none: a one-column line is refused later as such).
Separator detect_separator(std::string_view line);

}  // namespace recsys
