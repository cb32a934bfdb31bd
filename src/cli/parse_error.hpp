#pragma once
// The one line main prints for a command line CLI11 could not parse. A
// mistyped command or option name is the commonest cause, so it is named
// first, with the nearest real name when one is close:
//   unknown command 'trian'; did you mean 'train'? (see recsys --help)
//   unknown option '--usr' for topn; did you mean '--user'? (see recsys topn --help)
#include <CLI/CLI.hpp>
#include <string>

namespace recsys::cli {

// app: the parsed (or half-parsed) application; the arguments are those
// given to remember_arguments (options.hpp). No "recsys: " prefix.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error);

}  // namespace recsys::cli
