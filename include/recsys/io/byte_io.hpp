#pragma once
// Little-endian byte encoding for the model file, whatever the host's order,
// and a reader that checks every length against the bytes left before it
// allocates, so a corrupt count cannot ask for gigabytes.
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recsys/util/huge_pages.hpp"

namespace recsys {

// CRC-32 (IEEE 802.3) by zlib, continuing from `crc`: the model file's checksum.
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

// Writes into a growing buffer; or, made by counting(), only counts the bytes
// it would write (a first counting pass lets the real one reserve the exact
// size, so a large model is never copied into a buffer grown by doubling);
// or, made by streaming(), hands the bytes to a sink in chunks, so a model is
// never held twice, as itself and as its file's bytes.
class ByteWriter {
 public:
  using Sink = std::function<void(std::span<const std::uint8_t>)>;
  static ByteWriter counting() {
    ByteWriter w;
    w.count_only_ = true;
    return w;
  }
  static ByteWriter streaming(Sink sink) {
    ByteWriter w;
    w.sink_ = std::move(sink);
    w.bytes_.reserve(kChunk);
    return w;
  }
  void reserve(std::size_t n) { reserve_huge(bytes_, n); }

  void u8(std::uint8_t x) { put_le(x); }
  void u32(std::uint32_t x) { put_le(x); }
  void u64(std::uint64_t x) { put_le(x); }
  void f32(float x) { put_le(std::bit_cast<std::uint32_t>(x)); }
  void f64(double x) { put_le(std::bit_cast<std::uint64_t>(x)); }
  void str(std::string_view s) {
    u64(s.size());
    raw(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }
  template <typename T>
  void array(std::span<const T> values) {  // u64 count, then the elements
    u64(values.size());
    if constexpr (std::endian::native == std::endian::little) {
      raw(reinterpret_cast<const std::uint8_t*>(values.data()), values.size_bytes());
    } else {
      for (const T& v : values) put_le(std::bit_cast<unsigned_of<T>>(v));
    }
  }
  std::vector<std::uint8_t>& bytes() { return bytes_; }
  std::size_t size() const { return count_only_ ? counted_ : streamed_ + bytes_.size(); }
  // Streaming: passes on what is buffered; crc() is then that of every byte so far.
  void flush();
  std::uint32_t crc() const { return crc_; }

 private:
  static constexpr std::size_t kChunk = std::size_t(1) << 20;
  template <typename T>
  using unsigned_of = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  template <typename U>
  void put_le(U x) {
    if (count_only_) {
      counted_ += sizeof(U);
      return;
    }
    for (std::size_t b = 0; b < sizeof(U); ++b)
      bytes_.push_back(static_cast<std::uint8_t>(x >> (8 * b)));
    if (sink_ && bytes_.size() >= kChunk) flush();
  }
  void raw(const std::uint8_t* p, std::size_t n);
  void emit(std::span<const std::uint8_t> bytes);

  std::vector<std::uint8_t> bytes_;
  bool count_only_ = false;
  std::size_t counted_ = 0;
  Sink sink_;
  std::size_t streamed_ = 0;
  std::uint32_t crc_ = 0;
};

// Throws recsys::Error(file, 0, "<what> ...") when a read runs past the end.
class ByteReader {
 public:
  ByteReader(std::span<const std::uint8_t> bytes, std::string file)
      : bytes_(bytes), file_(std::move(file)) {}

  std::uint8_t u8() { return take(1)[0]; }
  std::uint32_t u32() { return get_le<std::uint32_t>(); }
  std::uint64_t u64() { return get_le<std::uint64_t>(); }
  float f32() { return std::bit_cast<float>(get_le<std::uint32_t>()); }
  double f64() { return std::bit_cast<double>(get_le<std::uint64_t>()); }
  std::string str() {
    const std::uint64_t n = u64();
    require(n, 1);
    const auto s = take(n);
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }
  template <typename T>
  std::vector<T> array() {
    const std::uint64_t n = u64();
    require(n, sizeof(T));
    const auto raw = take(n * sizeof(T));
    std::vector<T> out(n);
    if constexpr (std::endian::native == std::endian::little) {
      if (n) std::memcpy(out.data(), raw.data(), raw.size());
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t> x = 0;
        for (std::size_t b = 0; b < sizeof(T); ++b)
          x |= decltype(x)(raw[k * sizeof(T) + b]) << (8 * b);
        out[k] = std::bit_cast<T>(x);
      }
    }
    return out;
  }
  std::span<const std::uint8_t> take(std::uint64_t n);
  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  const std::string& file() const { return file_; }
  // Throws unless count elements of size bytes each fit in what is left.
  void require(std::uint64_t count, std::size_t size) const;

 private:
  template <typename U>
  U get_le() {
    const auto raw = take(sizeof(U));
    U x = 0;
    for (std::size_t b = 0; b < sizeof(U); ++b) x |= U(raw[b]) << (8 * b);
    return x;
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  std::string file_;
};

}  // namespace recsys
