#include "recsys/id_map.hpp"

#include <limits>

#include "recsys/error.hpp"

namespace recsys {

std::uint32_t IdMap::intern(std::string_view token) {
  if (auto it = index_.find(token); it != index_.end()) return it->second;
  if (tokens_.size() >= std::numeric_limits<std::uint32_t>::max())
    throw Error("more than 4294967295 distinct ids");
  const auto index = static_cast<std::uint32_t>(tokens_.size());
  tokens_.emplace_back(token);
  index_.emplace(tokens_.back(), index);
  return index;
}

std::optional<std::uint32_t> IdMap::find(std::string_view token) const {
  if (auto it = index_.find(token); it != index_.end()) return it->second;
  return std::nullopt;
}

void IdMap::reserve(std::size_t n) {
  index_.reserve(n);
  tokens_.reserve(n);
}

IdMap IdMap::from_tokens(std::vector<std::string> tokens) {
  IdMap map;
  map.reserve(tokens.size());
  for (auto& token : tokens) {
    const auto before = map.size();
    if (map.intern(token) != before) throw Error("duplicate id '" + token + "'");
  }
  return map;
}

}  // namespace recsys
