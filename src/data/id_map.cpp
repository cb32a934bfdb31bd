#include "recsys/data/id_map.hpp"

#include <algorithm>
#include <limits>

#include "recsys/util/error.hpp"

namespace recsys {
namespace {
constexpr std::uint64_t kTextBit = 1ULL << 63;

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser: spreads nearby ids over slots
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t IdMap::key_of(std::string_view token, bool& is_integer) {
  // Canonical non-negative integers below 10^18: no sign, no leading zero.
  is_integer = !token.empty() && token.size() <= 18 && (token[0] != '0' || token.size() == 1);
  std::uint64_t value = 0;
  for (std::size_t k = 0; is_integer && k < token.size(); ++k) {
    const unsigned digit = static_cast<unsigned char>(token[k]) - '0';
    if (digit > 9) is_integer = false;
    value = value * 10 + digit;
  }
  if (is_integer) return value + 1;
  return std::hash<std::string_view>{}(token) | kTextBit;
}

std::size_t IdMap::probe(std::uint64_t key, bool is_integer, std::string_view token) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = mix(key) & mask;
  for (;;) {
    const Slot& s = slots_[at];
    if (s.index == kEmpty) return at;
    if (s.key == key && (is_integer || tokens_[s.index] == token)) return at;
    at = (at + 1) & mask;
  }
}

void IdMap::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.index == kEmpty) continue;
    std::size_t at = mix(s.key) & mask;
    while (slots_[at].index != kEmpty) at = (at + 1) & mask;
    slots_[at] = s;
  }
}

std::uint32_t IdMap::intern(std::string_view token) {
  bool is_integer = false;
  const std::uint64_t key = key_of(token, is_integer);
  return intern_key(key, is_integer, token);
}

std::uint32_t IdMap::intern_key(std::uint64_t key, bool is_integer, std::string_view token) {
  if (is_integer && key < kDirectLimit) {
    if (key >= direct_.size())
      direct_.resize(std::max<std::size_t>(key + 1, direct_.size() * 2), kEmpty);
    std::uint32_t& index = direct_[key];
    if (index == kEmpty) {
      if (tokens_.size() >= kEmpty) throw Error("more than 4294967294 distinct ids");
      index = static_cast<std::uint32_t>(tokens_.size());
      tokens_.emplace_back(token);
    }
    return index;
  }
  if ((tokens_.size() + 1) * 2 > slots_.size()) grow();
  Slot& slot = slots_[probe(key, is_integer, token)];
  if (slot.index != kEmpty) return slot.index;
  if (tokens_.size() >= kEmpty) throw Error("more than 4294967294 distinct ids");
  slot = Slot{key, static_cast<std::uint32_t>(tokens_.size())};
  tokens_.emplace_back(token);
  return slot.index;
}

std::optional<std::uint32_t> IdMap::find(std::string_view token) const {
  bool is_integer = false;
  const std::uint64_t key = key_of(token, is_integer);
  if (is_integer && key < kDirectLimit) {
    if (key >= direct_.size() || direct_[key] == kEmpty) return std::nullopt;
    return direct_[key];
  }
  if (slots_.empty()) return std::nullopt;
  const Slot& slot = slots_[probe(key, is_integer, token)];
  if (slot.index == kEmpty) return std::nullopt;
  return slot.index;
}

void IdMap::reserve(std::size_t n) { tokens_.reserve(n); }

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
