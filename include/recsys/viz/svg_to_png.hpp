#pragma once
// PNG output through librsvg's rsvg-convert (Debian package librsvg2-bin),
// when it is installed: rasterising SVG text ourselves would mean a font
// engine, which is not worth a dependency for one optional output.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace recsys {

inline constexpr const char* kSvgConverter = "rsvg-convert";
inline constexpr const char* kSvgConverterPackage = "librsvg2-bin";

// Full path of an executable found on $PATH, like `command -v`.
std::optional<std::string> find_program(const std::string& name);

// The PNG bytes of an SVG document, rendered at `zoom` times its size.
// Throws Error when rsvg-convert is missing (saying what to install) or fails.
std::vector<std::uint8_t> svg_to_png(const std::string& svg, double zoom = 1.0);

}  // namespace recsys
