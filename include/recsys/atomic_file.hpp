#pragma once
// Output files appear whole or not at all: bytes go to a temporary file in the
// target directory, are flushed to disk, and only then renamed over the
// target. A crash, a full disk or Ctrl-C never leaves half a model.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace recsys {

// Throws recsys::Error naming path on any failure, after removing the temporary.
void write_file_atomically(const std::string& path, std::span<const std::uint8_t> bytes);
void write_file_atomically(const std::string& path, std::string_view text);

}  // namespace recsys
