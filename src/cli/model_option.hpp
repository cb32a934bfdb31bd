#pragma once
// The --model option every command that reads a model shares.
#include <CLI/CLI.hpp>
#include <string>

namespace recsys::cli {

inline void add_model_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--model", path, "Model file written by `recsys train`")->capture_default_str();
}

// --format with its allowed values listed in --help and checked by CLI11.
inline void add_format_option(CLI::App* cmd, std::string& format,
                              std::vector<std::string> allowed) {
  std::string names;
  for (const auto& a : allowed) names += (names.empty() ? "" : " | ") + a;
  cmd->add_option("--format", format, names)->check(CLI::IsMember(allowed))->capture_default_str();
}

}  // namespace recsys::cli
