#include "options.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

const char* const kDeprecatedGroup = "Deprecated (still accepted, with a warning)";

std::vector<std::string>& remembered() {
  static std::vector<std::string> args;
  return args;
}

std::string long_name(const CLI::Option* opt) {
  if (!opt->get_lnames().empty()) return "--" + opt->get_lnames().front();
  return "-" + opt->get_snames().front();
}

// min as the user would write it: 1, not 1.000000.
std::string number_text(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

// Logs message the first time it is called only: an option can get several
// values (--movies 1,2,3 is three), each validated on its own.
std::function<void()> warn_once(std::string message) {
  auto warned = std::make_shared<bool>(false);
  return [warned, message] {
    if (!*warned) spdlog::warn("{}", message);
    *warned = true;
  };
}

}  // namespace

void remember_arguments(int argc, const char* const* argv) {
  remembered().assign(argv + (argc > 0 ? 1 : 0), argv + argc);
}

const std::vector<std::string>& arguments() { return remembered(); }

std::string spelled(const CLI::Option* opt) {
  const auto& args = remembered();
  // The last one wins, as it is the value CLI11 keeps.
  for (auto it = args.rbegin(); it != args.rend(); ++it) {
    const std::string& a = *it;
    if (a == "--") continue;
    for (const auto& l : opt->get_lnames())
      if (a == "--" + l || a.rfind("--" + l + "=", 0) == 0) return "--" + l;
    for (const auto& s : opt->get_snames())
      if (a.size() >= 2 && a[1] != '-' && a.rfind("-" + s, 0) == 0) return "-" + s;
  }
  return long_name(opt);
}

CLI::Option* deprecate(CLI::App* cmd, CLI::Option* alias, CLI::Option* replacement,
                       const std::string& meaning) {
  const std::string use = long_name(replacement);
  alias->group(kDeprecatedGroup);
  alias->description("Deprecated: use " + use);
  auto warn = warn_once(long_name(alias) + (meaning.empty() ? "" : " (" + meaning + ")") +
                        " is deprecated in " + cmd->get_name() + "; use " + use);
  // Both given: one would silently win. (CLI11's excludes() would say so
  // too, but also print "Excludes: -k" next to the new name in --help.)
  return alias->check(CLI::Validator(
      [warn, alias, replacement](std::string&) {
        warn();
        if (replacement->count() > 0)
          throw Error(spelled(alias) + " is the old name of " + spelled(replacement) +
                      "; give only one of them");
        return std::string();
      },
      ""));
}

bool is_deprecated(const CLI::Option* opt) { return opt->get_group() == kDeprecatedGroup; }

CLI::Option* require(CLI::Option* opt, std::function<bool(double)> ok,
                     const std::string& requirement) {
  // Thrown rather than returned: CLI11 would name the option by its long
  // name, not as typed, and wrap the text in its own words.
  return opt->check(CLI::Validator(
      [opt, ok, requirement](std::string& value) {
        char* end = nullptr;
        const double x = std::strtod(value.c_str(), &end);
        if (end != value.c_str() && *end == '\0' && !ok(x))
          throw Error(spelled(opt) + " " + requirement);
        return std::string();
      },
      ""));
}

CLI::Option* at_least(CLI::Option* opt, double min) {
  return require(
      opt, [min](double x) { return x >= min; }, "must be at least " + number_text(min));
}

CLI::Option* at_least_zero(CLI::Option* opt) {
  return require(
      opt, [](double x) { return x >= 0; }, "must be 0 or more");
}

CLI::Option* add_calibrate_option(CLI::App* cmd, double& lambda, const std::string& default_note) {
  return require(
      cmd->add_option("--calibrate", lambda,
                      "0 to 1: how much a list follows the genre mix of the user's rated movies "
                      "rather than the model's order (0 = off; needs genres from --movies; " +
                          default_note + ")"),
      [](double x) { return x >= 0 && x <= 1; }, "must be between 0 and 1");
}

CLI::Option* add_format_option(CLI::App* cmd, std::string& format,
                               const std::vector<std::string>& allowed) {
  std::string names;
  for (const auto& a : allowed) names += (names.empty() ? "" : " | ") + a;
  CLI::Option* opt = cmd->add_option("--format", format, names)
                         ->check(CLI::IsMember(allowed))
                         ->capture_default_str();
  if (std::find(allowed.begin(), allowed.end(), "table") == allowed.end()) return opt;
  // Runs before the IsMember check (transforms go first), which then sees "table".
  auto warn =
      warn_once("--format text is deprecated in " + cmd->get_name() + "; use --format table");
  return opt->transform(CLI::Validator(
      [warn](std::string& value) {
        if (value == "text") {
          warn();
          value = "table";
        }
        return std::string();
      },
      ""));
}

}  // namespace recsys::cli
