#include "recsys/data/title_search.hpp"

#include <algorithm>

namespace recsys {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

}  // namespace

std::vector<std::uint32_t> find_titles(const std::vector<std::string>& titles,
                                       std::string_view text) {
  std::vector<std::uint32_t> contains, equals;
  if (text.empty()) return contains;
  const std::string wanted = lowered(text);
  for (std::uint32_t i = 0; i < titles.size(); ++i) {
    if (titles[i].size() < wanted.size()) continue;
    const std::string title = lowered(titles[i]);
    if (title == wanted)
      equals.push_back(i);
    else if (title.find(wanted) != std::string::npos)
      contains.push_back(i);
  }
  return equals.empty() ? contains : equals;
}

}  // namespace recsys
