#include "parse_error.hpp"

#include "options.hpp"

namespace recsys::cli {
namespace {

// CLI11 names an option by its long name; the user may have typed the short
// one: "Could not convert: --top = lots" after `-n lots` says -n.
std::string as_typed(const CLI::App& cmd, std::string message) {
  const std::string prefix = "Could not convert: ";
  const auto end = message.find(" = ");
  if (message.rfind(prefix, 0) != 0 || end == std::string::npos) return message;
  const std::string name = message.substr(prefix.size(), end - prefix.size());
  if (const CLI::Option* opt = cmd.get_option_no_throw(name))
    message.replace(prefix.size(), name.size(), spelled(opt));
  return message;
}

}  // namespace

std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error) {
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  if (parsed.empty()) return std::string(error.what()) + " (see recsys --help)";
  const CLI::App& cmd = *parsed.front();
  return as_typed(cmd, error.what()) + " (see recsys " + cmd.get_name() + " --help)";
}

}  // namespace recsys::cli
