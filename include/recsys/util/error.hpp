#pragma once
// The one exception type of recsys. Library code throws it for every user error
// (bad file, bad option); the CLI's main catches it once and prints what() as a
// single line. Internal errors (bugs, out of memory) use Kind::Internal.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace recsys {

class Error : public std::runtime_error {
 public:
  enum class Kind { BadInput, Internal };

  // file: the file the problem is in ("" when none); line: 1-based, 0 when none.
  Error(std::string file, std::size_t line, std::string message, Kind kind = Kind::BadInput);
  explicit Error(std::string message, Kind kind = Kind::BadInput)
      : Error("", 0, std::move(message), kind) {}

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  const std::string& message() const noexcept { return message_; }
  Kind kind() const noexcept { return kind_; }
  // Exit codes documented in the README: 2 bad input, 1 internal error.
  int exit_code() const noexcept { return kind_ == Kind::BadInput ? 2 : 1; }

 private:
  std::string file_;
  std::size_t line_;
  std::string message_;
  Kind kind_;
};

}  // namespace recsys
