#include "recsys/io/byte_io.hpp"

#include <zlib.h>

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

void ByteWriter::raw(const std::uint8_t* p, std::size_t n) {
  if (count_only_) {
    counted_ += n;
  } else if (sink_ && n >= kChunk) {
    flush();  // a large array goes to the sink as it is, never copied
    emit({p, n});
  } else {
    bytes_.insert(bytes_.end(), p, p + n);
    if (sink_ && bytes_.size() >= kChunk) flush();
  }
}

void ByteWriter::flush() {
  if (!sink_ || bytes_.empty()) return;
  emit(bytes_);
  bytes_.clear();
}

void ByteWriter::emit(std::span<const std::uint8_t> bytes) {
  crc_ = crc32(bytes, crc_);
  streamed_ += bytes.size();
  sink_(bytes);
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  // An empty span may hold a null pointer, for which zlib returns 0 whatever `crc` is.
  if (bytes.empty()) return crc;
  return static_cast<std::uint32_t>(::crc32_z(crc, bytes.data(), bytes.size()));
}

}  // namespace recsys
