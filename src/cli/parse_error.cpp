#include "parse_error.hpp"

#include <algorithm>
#include <cstdlib>

#include "options.hpp"
#include "suggest.hpp"

namespace recsys::cli {
namespace {

// "-5" and "-0.5" are values, as CLI11 takes them.
bool looks_like_option(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg == "--") return false;
  char* end = nullptr;
  std::strtod(arg.c_str(), &end);
  return *end != '\0';
}

std::string did_you_mean(const std::string& typed, const std::vector<std::string>& names) {
  const auto near = closest(typed, names);
  return near ? "; did you mean '" + *near + "'?" : "";
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    if (is_deprecated(opt)) continue;
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// The first argument, in command-line order, that CLI11 left over and that
// looks like an option ("--usr" of `--usr=42`); empty when there is none.
std::string unknown_option(const CLI::App& app) {
  const std::vector<std::string> left = app.remaining(true);
  for (const auto& arg : arguments())
    if (looks_like_option(arg) && std::find(left.begin(), left.end(), arg) != left.end())
      return arg.substr(0, arg.find('=', 2));
  return "";
}

// The command the user meant to give: the first argument that is no option
// (recsys's own options, --help and --version, take no value).
std::string first_word() {
  for (const auto& arg : arguments())
    if (arg.empty() || arg[0] != '-') return arg;
  return "";
}

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
  if (parsed.empty()) {
    const std::string word = first_word();
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    if (!word.empty() && std::find(commands.begin(), commands.end(), word) == commands.end())
      return "unknown command '" + word + "'" + did_you_mean(word, commands) +
             " (see recsys --help)";
    if (const std::string typed = unknown_option(app); !typed.empty())
      return "unknown option '" + typed + "'" + did_you_mean(typed, option_names(app)) +
             " (see recsys --help)";
    return std::string(error.what()) + " (see recsys --help)";
  }
  // A mistyped option comes first even when CLI11 stopped at something it
  // checks earlier, such as a required option (--moive for --movie).
  const CLI::App& cmd = *parsed.front();
  const std::string help = " (see recsys " + cmd.get_name() + " --help)";
  if (const std::string typed = unknown_option(app); !typed.empty())
    return "unknown option '" + typed + "' for " + cmd.get_name() +
           did_you_mean(typed, option_names(cmd)) + help;
  return as_typed(cmd, error.what()) + help;
}

}  // namespace recsys::cli
