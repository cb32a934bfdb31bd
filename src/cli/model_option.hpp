#pragma once
// The --model option every command that reads a model shares; --format and
// the other option helpers are in options.hpp.
#include <CLI/CLI.hpp>
#include <string>

#include "options.hpp"

namespace recsys::cli {

inline void add_model_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--model", path, "Model file written by `recsys train`")->capture_default_str();
}

}  // namespace recsys::cli
