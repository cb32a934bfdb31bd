#pragma once
// Output files appear whole or not at all: bytes go to a temporary file in the
// target directory, are flushed to disk, and only then renamed over the
// target. A crash, a full disk or Ctrl-C never leaves half a model. Where the
// file system allows it the temporary has no name until it is complete, so
// SIGKILL leaves at most a complete copy named TARGET.tmp.PID (when it lands
// in the microseconds between naming and renaming), which the next write to
// the same target removes once PID no longer runs. A symbolic link is followed, so the
// link itself is kept. Only regular files are written: a directory, a FIFO
// (whose write would wait for a reader forever), a socket or a device
// (/dev/null) is refused with an error naming the path.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace recsys {

// Throws recsys::Error naming path on any failure, after removing the temporary.
void write_file_atomically(const std::string& path, std::span<const std::uint8_t> bytes);
// The same for bytes made while they are written: produce passes them to the
// sink in pieces (and may be called twice, when a first way of creating the
// file turns out unsupported). An exception from produce removes the temporary
// and propagates.
using ByteSink = std::function<void(std::span<const std::uint8_t>)>;
using ByteProducer = std::function<void(const ByteSink&)>;
void write_file_atomically(const std::string& path, const ByteProducer& produce);
void write_file_atomically(const std::string& path, std::string_view text);

// Throws the Error the write would, when path's directory is missing or not
// writable, or path exists and is no regular file: lets a long computation
// fail before it starts, not after.
void check_writable(const std::string& path);

}  // namespace recsys
