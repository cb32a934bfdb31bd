#pragma once
// One function per subcommand, each in src/cli/<command>.cpp, registering
// its options and its action on the CLI11 app.
#include <CLI/CLI.hpp>

namespace recsys::cli {

void register_train(CLI::App& app);
void register_topn(CLI::App& app);
void register_info(CLI::App& app);
void register_synth(CLI::App& app);
void register_metrics(CLI::App& app);
void register_similar(CLI::App& app);
void register_export(CLI::App& app);
void register_project(CLI::App& app);
void register_predict(CLI::App& app);
void register_cv(CLI::App& app);
// Hidden from --help: prints a bash completion script for the commands above.
void register_completion(CLI::App& app);

}  // namespace recsys::cli
