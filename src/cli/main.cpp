// recsys: the command-line front end. Every user error surfaces here as one
// recsys::Error, printed once on stderr as a single line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <new>

#include "commands.hpp"
#include "recsys/error.hpp"

int main(int argc, char** argv) {
  // stdout carries data only; every log line goes to stderr.
  auto logger = spdlog::stderr_color_mt("recsys");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"recsys: train and evaluate embedding recommenders on ratings data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "recsys 0.1.0");
  recsys::cli::register_train(app);
  recsys::cli::register_topn(app);
  recsys::cli::register_info(app);
  recsys::cli::register_synth(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "recsys: %s (see recsys --help)\n", e.what());
    return 2;
  } catch (const recsys::Error& e) {
    std::fprintf(stderr, "recsys: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "recsys: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recsys: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
