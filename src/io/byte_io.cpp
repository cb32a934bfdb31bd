#include "recsys/io/byte_io.hpp"

#include <array>

#include "recsys/util/error.hpp"

namespace recsys {

std::span<const std::uint8_t> ByteReader::take(std::uint64_t n) {
  if (n > remaining())
    throw Error(file_, 0,
                "model file is truncated or corrupt (needed " + std::to_string(n) +
                    " bytes at offset " + std::to_string(pos_) + ", " +
                    std::to_string(remaining()) + " left); train it again with `recsys train`");
  const auto out = bytes_.subspan(pos_, n);
  pos_ += n;
  return out;
}

void ByteReader::require(std::uint64_t count, std::size_t size) const {
  if (size != 0 && count > remaining() / size)
    throw Error(file_, 0,
                "model file is corrupt: a count of " + std::to_string(count) +
                    " does not fit in the " + std::to_string(remaining()) +
                    " bytes left; train it again with `recsys train`");
}

namespace {
// Slicing-by-4 tables: four bytes per step, several times faster than one.
std::array<std::array<std::uint32_t, 256>, 4> make_tables() {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][n] = c;
  }
  for (std::uint32_t n = 0; n < 256; ++n)
    for (int s = 1; s < 4; ++s) t[s][n] = (t[s - 1][n] >> 8) ^ t[0][t[s - 1][n] & 0xFF];
  return t;
}
}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  static const auto t = make_tables();
  crc = ~crc;
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  while (n >= 4) {
    crc ^= std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
    crc = t[3][crc & 0xFF] ^ t[2][(crc >> 8) & 0xFF] ^ t[1][(crc >> 16) & 0xFF] ^ t[0][crc >> 24];
    p += 4;
    n -= 4;
  }
  while (n--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

}  // namespace recsys
