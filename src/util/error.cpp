#include "recsys/util/error.hpp"

namespace recsys {
namespace {
std::string format(const std::string& file, std::size_t line, const std::string& message) {
  if (file.empty()) return message;
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}
}  // namespace

Error::Error(std::string file, std::size_t line, std::string message, Kind kind)
    : std::runtime_error(format(file, line, message)),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)),
      kind_(kind) {}

}  // namespace recsys
