#pragma once
// The one line main prints for a command line CLI11 could not parse: its
// message, with the option named as the user typed it, and where to read
// more (the command's own --help).
#include <CLI/CLI.hpp>
#include <string>

namespace recsys::cli {

// app: the parsed (or half-parsed) application; the arguments are those
// given to remember_arguments (options.hpp). No "recsys: " prefix.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error);

}  // namespace recsys::cli
