#pragma once
// Raw ids (any token: "42", "B000123") to dense indexes 0..n-1 in order of
// first appearance, as the notebook's df.userId.unique() does.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace recsys {

class IdMap {
 public:
  // The index of token, adding it at the end when it is new.
  std::uint32_t intern(std::string_view token);
  std::optional<std::uint32_t> find(std::string_view token) const;
  const std::string& token(std::uint32_t index) const { return tokens_[index]; }
  const std::vector<std::string>& tokens() const { return tokens_; }
  std::size_t size() const { return tokens_.size(); }
  void reserve(std::size_t n);

  static IdMap from_tokens(std::vector<std::string> tokens);  // throws on duplicates

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
  std::vector<std::string> tokens_;
};

}  // namespace recsys
