#pragma once
// The options that say how to read a ratings file, shared by every command
// that reads one (train, cv, predict, metrics --ratings), so that a layout
// is spelled the same way everywhere.
#include <CLI/CLI.hpp>
#include <string>

#include "recsys/data/ratings.hpp"

namespace recsys::cli {

struct InputOptions {
  std::string sep = "auto", columns;
  bool no_header = false;
  std::string user_col = "userId", item_col = "movieId", rating_col = "rating",
              timestamp_col = "timestamp";
};

// Which columns a command reads: predict needs no rating, only a time split a timestamp.
struct InputColumns {
  bool rating = true, timestamp = false;
};

// Adds --sep, --no-header, --columns and the --*-col options. of_what names
// the file in the help ("" for the command's main input, "--ratings" ...).
void add_input_options(CLI::App* cmd, InputOptions& o, const std::string& of_what,
                       InputColumns columns);

// The load options those give; throws Error on a bad --sep or --columns, and
// on column names given together with --no-header.
LoadOptions load_options(const CLI::App& cmd, const InputOptions& o, InputColumns columns);

}  // namespace recsys::cli
