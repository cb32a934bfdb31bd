#pragma once
// The line `recsys --version` prints: the version and the commit the binary
// was built from. Defined in a file the build generates
// (cmake/RecsysVersion.cmake), so that it follows the source tree.

namespace recsys::cli {

const char* version_text();

}  // namespace recsys::cli
