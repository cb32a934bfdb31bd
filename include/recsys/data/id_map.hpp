#pragma once
// Raw ids (any token: "42", "B000123") to dense indexes 0..n-1 in order of
// first appearance, as the notebook's df.userId.unique() does.
//
// Two lookups per rating make this the loader's hottest structure (a node-based
// std::unordered_map took half of the load time), so it is an open-addressing
// table of 16-byte slots. Canonical integer tokens ("42", not "042" or "+42")
// are keyed by their value and never compared as text; other tokens by a
// 64-bit hash confirmed against the stored token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recsys {

class IdMap {
 public:
  // The index of token, adding it at the end when it is new.
  std::uint32_t intern(std::string_view token);
  // The same for a token known to be a canonical integer below 10^18, given
  // with its value (the loader's plain rows have parsed it already).
  std::uint32_t intern_integer(std::uint64_t value, std::string_view token) {
    const std::uint64_t key = value + 1;
    if (key < direct_.size() && direct_[key] != kEmpty) return direct_[key];  // seen before
    return intern_key(key, true, token);
  }
  std::optional<std::uint32_t> find(std::string_view token) const;
  const std::string& token(std::uint32_t index) const { return tokens_[index]; }
  const std::vector<std::string>& tokens() const { return tokens_; }
  std::size_t size() const { return tokens_.size(); }
  void reserve(std::size_t n);

  static IdMap from_tokens(std::vector<std::string> tokens);  // throws on duplicates

 private:
  struct Slot {
    std::uint64_t key = 0;  // integer value + 1, or the text hash with its top bit set
    std::uint32_t index = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

  // The key of a token and whether it is an integer (then key alone decides).
  static std::uint64_t key_of(std::string_view token, bool& is_integer);
  std::uint32_t intern_key(std::uint64_t key, bool is_integer, std::string_view token);
  std::size_t probe(std::uint64_t key, bool is_integer, std::string_view token) const;
  void grow();

  // Integer ids below kDirectLimit skip hashing: their index is read straight
  // from this array (MovieLens ids are all below 300,000).
  static constexpr std::uint64_t kDirectLimit = 1u << 22;
  std::vector<std::uint32_t> direct_;
  std::vector<Slot> slots_;  // capacity: a power of two, at most 1/2 full
  std::vector<std::string> tokens_;
};

}  // namespace recsys
