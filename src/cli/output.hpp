#pragma once
// Writing data to stdout: a failed write (closed pipe, full disk) becomes a
// recsys::Error instead of silently lost output.
#include <string_view>

namespace recsys::cli {

void write_stdout(std::string_view text);

}  // namespace recsys::cli
