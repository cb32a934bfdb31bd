#pragma once
// Helpers every command uses to declare its options, so that an option name
// has one meaning across recsys and old spellings keep working for a while.
//
// Renaming an option: declare the new name, then keep the old one as a
// hidden alias bound to the same variable. The alias logs one warning when
// used and otherwise behaves exactly like the new name (same variable, so the
// same output); give it the same checks and settings the new one has:
//
//   CLI::Option* top = at_least(cmd->add_option("-n,--top", o->n, "List length"), 1);
//   at_least(add_deprecated_alias(cmd, "-k", o->n, top), 1);
//     // metrics -k 5 logs "warning: -k is deprecated in metrics; use --top"
//   add_deprecated_alias(cmd, "--movies", o->ids, ids, "a list of ids")->delimiter(',');
//     // "warning: --movies (a list of ids) is deprecated in project; use --ids"
//
// For a flag, or any option built another way, call deprecate(cmd, old, new).
//
// --format: add_format_option(cmd, o->format, {"table", "json"}). The
// human-readable format is called "table" everywhere; when "table" is among
// the allowed values, the old name "text" is still accepted, stored as
// "table", with "warning: --format text is deprecated in train; use --format
// table".
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace recsys::cli {

// Called by main with its arguments, so an error can name an option the way
// the user typed it (-n or --top).
void remember_arguments(int argc, const char* const* argv);
// Those arguments, without the program name.
const std::vector<std::string>& arguments();

// The spelling of opt on the command line ("-n" after `-n 5`, "--top" after
// `--top=5`); its long name when it was not typed.
std::string spelled(const CLI::Option* opt);

// Marks alias, an option of cmd, as a deprecated spelling of replacement:
// listed last in --help under "Deprecated", an error when both are given,
// and a warning the first time it is used. meaning, when given, says which meaning
// of the old name goes away.
CLI::Option* deprecate(CLI::App* cmd, CLI::Option* alias, CLI::Option* replacement,
                       const std::string& meaning = "");

// Whether opt is a deprecated alias (no "did you mean" points at one).
bool is_deprecated(const CLI::Option* opt);

// old_name as a deprecated alias of replacement, storing into the same
// variable (see the top of this file).
template <typename T>
CLI::Option* add_deprecated_alias(CLI::App* cmd, const std::string& old_name, T& variable,
                                  CLI::Option* replacement, const std::string& meaning = "") {
  return deprecate(cmd, cmd->add_option(old_name, variable), replacement, meaning);
}

// Checks on an option's number, run as CLI11 parses it. A failure throws
// recsys::Error "<option as typed> <requirement>", e.g. "-n must be at least
// 1"; text that is no number at all is left to CLI11's conversion error.
CLI::Option* require(CLI::Option* opt, std::function<bool(double)> ok,
                     const std::string& requirement);
CLI::Option* at_least(CLI::Option* opt, double min);
CLI::Option* at_least_zero(CLI::Option* opt);  // "must be 0 or more"

// --calibrate LAMBDA of topn and metrics: lists that follow the genre mix of
// the user's rated movies (eval/genre_calibration.hpp); 0 leaves them as
// ranked. default_note ends the help text, e.g. "default 0".
CLI::Option* add_calibrate_option(CLI::App* cmd, double& lambda, const std::string& default_note);

// --format, its allowed values listed in --help and checked by CLI11, "text"
// accepted as a deprecated name of "table" (see the top of this file).
CLI::Option* add_format_option(CLI::App* cmd, std::string& format,
                               const std::vector<std::string>& allowed);

}  // namespace recsys::cli
