#pragma once
// The bytes ranks send each other: plain fields one after another. Every
// rank runs the same binary, so the byte order and the sizes agree at both
// ends; a message shorter than its reader expects is an internal error.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "recsys/util/error.hpp"

namespace recsys {

class Packer {
 public:
  template <typename T>
  void number(T x) {
    bytes_.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  void text(std::string_view s) {
    number<std::uint64_t>(s.size());
    bytes_.append(s);
  }
  template <typename T>
  void array(std::span<const T> xs) {
    bytes_.append(reinterpret_cast<const char*>(xs.data()), xs.size_bytes());
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class Unpacker {
 public:
  explicit Unpacker(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  T number() {
    T x{};
    take(&x, sizeof x);
    return x;
  }
  std::string_view text() {
    const auto n = number<std::uint64_t>();
    if (n > bytes_.size() - at_) cut_short();
    const std::string_view s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }
  // Fills xs, whose size the reader knows.
  template <typename T>
  void array(std::span<T> xs) {
    take(xs.data(), xs.size_bytes());
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  [[noreturn]] static void cut_short() {
    throw Error("a rank sent a message cut short", Error::Kind::Internal);
  }
  void take(void* out, std::size_t n) {
    if (n > bytes_.size() - at_) cut_short();
    if (n > 0) std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace recsys
