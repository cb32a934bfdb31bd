#include "recsys/data/file_layout.hpp"

#include <algorithm>
#include <sstream>

#include "recsys/util/error.hpp"

namespace recsys {

Separator parse_separator(const std::string& text) {
  if (text == "auto") return Separator::automatic;
  if (text == "," || text == "comma") return Separator::comma;
  if (text == "tab" || text == "\t" || text == "\\t") return Separator::tab;
  if (text == "::") return Separator::double_colon;
  if (text == ";" || text == "semicolon") return Separator::semicolon;
  throw Error("--sep '" + text + "': expected auto, ',', tab, '::' or ';'");
}

std::string separator_name(Separator separator) {
  switch (separator) {
    case Separator::automatic:
      return "auto";
    case Separator::comma:
      return "','";
    case Separator::tab:
      return "tab";
    case Separator::double_colon:
      return "'::'";
    case Separator::semicolon:
      return "';'";
  }
  return "?";
}

std::array<int, 4> parse_column_order(const std::string& text, bool rating_required) {
  static constexpr const char* kNames[] = {"user", "item", "rating", "timestamp"};
  const std::string usage = "--columns '" + text +
                            "': expected the fields of a line in order, e.g. "
                            "user,item,rating,timestamp (skip: a field to ignore)";
  std::array<int, 4> positions = {-1, -1, -1, -1};
  std::stringstream in(text);
  std::string name;
  int field = 0;
  while (std::getline(in, name, ',')) {
    const auto* known = std::find(std::begin(kNames), std::end(kNames), name);
    if (known != std::end(kNames)) {
      int& position = positions[static_cast<std::size_t>(known - std::begin(kNames))];
      if (position >= 0) throw Error(usage + "; '" + name + "' appears twice");
      position = field;
    } else if (name != "skip") {
      throw Error(usage + "; unknown column '" + name + "'");
    }
    ++field;
  }
  for (int k = kUserColumn; k <= (rating_required ? kRatingColumn : kItemColumn); ++k)
    if (positions[std::size_t(k)] < 0) throw Error(usage + "; '" + kNames[k] + "' is missing");
  return positions;
}

Separator detect_separator(std::string_view line) {
  std::size_t tabs = 0, commas = 0, semicolons = 0;
  bool quoted = false;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == ':' && k + 1 < line.size() && line[k + 1] == ':') return Separator::double_colon;
    tabs += c == '\t';
    commas += c == ',';
    semicolons += c == ';';
  }
  if (tabs > commas && tabs >= semicolons) return Separator::tab;
  if (semicolons > commas) return Separator::semicolon;
  return Separator::comma;
}

}  // namespace recsys
