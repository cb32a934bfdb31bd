#pragma once
// Reading and patching a model file's bytes in tests (little-endian fields,
// the section walk, resealing the CRC after a deliberate change), for
// test_model_file.cpp's damaged files.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "recsys/io/byte_io.hpp"

namespace model_bytes {

using Bytes = std::vector<std::uint8_t>;

inline std::uint32_t get_u32(const Bytes& b, std::size_t at) {
  std::uint32_t x = 0;
  for (std::size_t k = 0; k < 4; ++k) x |= std::uint32_t(b[at + k]) << (8 * k);
  return x;
}
inline std::uint64_t get_u64(const Bytes& b, std::size_t at) {
  std::uint64_t x = 0;
  for (std::size_t k = 0; k < 8; ++k) x |= std::uint64_t(b[at + k]) << (8 * k);
  return x;
}
inline void put_u32(Bytes& b, std::size_t at, std::uint32_t x) {
  for (std::size_t k = 0; k < 4; ++k) b[at + k] = static_cast<std::uint8_t>(x >> (8 * k));
}
inline void put_u64(Bytes& b, std::size_t at, std::uint64_t x) {
  for (std::size_t k = 0; k < 8; ++k) b[at + k] = static_cast<std::uint8_t>(x >> (8 * k));
}
// Recomputes the trailing CRC-32 over everything before it.
inline void reseal(Bytes& b) {
  put_u32(b, b.size() - 4, recsys::crc32(std::span<const std::uint8_t>(b.data(), b.size() - 4)));
}

struct Section {
  std::uint32_t tag;
  std::size_t start, body, end;  // offsets of the tag, the body and one past the body
};

// The sections after the 24-byte header, up to the trailing CRC.
inline std::vector<Section> sections_of(const Bytes& b) {
  std::vector<Section> out;
  std::size_t at = 24;
  while (at + 12 <= b.size() - 4) {
    const std::uint64_t length = get_u64(b, at + 4);
    out.push_back({get_u32(b, at), at, at + 12, at + 12 + static_cast<std::size_t>(length)});
    at += 12 + static_cast<std::size_t>(length);
  }
  return out;
}

}  // namespace model_bytes
