#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "recsys/util/error.hpp"

namespace recsys::cli {

void write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) == text.size() && std::fflush(stdout) == 0)
    return;
  const int err = errno;
  if (err == EPIPE) throw StdoutClosed();
  throw Error("<stdout>", 0,
              std::string("cannot write: ") + std::strerror(err) +
                  (err == ENOSPC ? " (free some space, or redirect the output elsewhere)" : ""));
}

}  // namespace recsys::cli
