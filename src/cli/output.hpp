#pragma once
// Writing data to stdout: a failed write (full disk) becomes a recsys::Error
// instead of silently lost output; a reader that stopped reading (`| head -1`)
// ends the command quietly. Also the two quiet ways a command ends early.
#include <stdexcept>
#include <string_view>

namespace recsys::cli {

// Thrown when stdout's reader has gone (EPIPE): main exits 0 without a message,
// as the reader asked for no more. SIGPIPE is ignored so that this is seen.
struct StdoutClosed : std::runtime_error {
  StdoutClosed() : std::runtime_error("stdout closed by its reader") {}
};

// Thrown when Ctrl-C stopped a command before it had anything to save: main
// exits 130 (128 + SIGINT, as a shell reports an interrupted command).
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

void write_stdout(std::string_view text);

}  // namespace recsys::cli
