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

// Thrown when a signal (SIGINT, SIGTERM) stopped a command, after it saved
// what it could: main exits 128 + the signal, as a shell reports it.
struct Interrupted : std::runtime_error {
  explicit Interrupted(int signal) : std::runtime_error("interrupted"), signal(signal) {}
  int signal;
};

// Thrown to end a command with an exit code and nothing more to say (a
// process of an mpirun whose error rank 0 has printed).
struct QuietExit : std::runtime_error {
  explicit QuietExit(int code) : std::runtime_error("quiet exit"), code(code) {}
  int code;
};

void write_stdout(std::string_view text);

}  // namespace recsys::cli
