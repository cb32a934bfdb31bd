// recsys: the command-line front end. Every user error surfaces here as one
// recsys::Error, printed once on stderr as a single line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "parse_error.hpp"
#include "recsys/kernels/kernels.hpp"
#include "recsys/util/error.hpp"
#include "version.hpp"

namespace {

// A closed stdin, stdout or stderr would hand its number to the next file we
// open, and log lines or data would land in the model file.
void reopen_closed_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd)
    if (::fcntl(fd, F_GETFD) == -1) {
      const int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
      if (null_fd >= 0 && null_fd != fd) {
        ::dup2(null_fd, fd);
        ::close(null_fd);
      }
    }
}

}  // namespace

int main(int argc, char** argv) {
  reopen_closed_standard_fds();
  // A write to a closed pipe then fails with EPIPE, which write_stdout turns
  // into a quiet exit; a write past `ulimit -f` fails with EFBIG and becomes
  // an error message, instead of either signal killing us mid-file.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  // Arrays of a megabyte or more get pages of their own, given back the
  // moment they are freed. glibc otherwise raises this threshold after the
  // first large free, and later arrays of a few megabytes then come from the
  // heap, whose freed middle is never returned: the peak memory of train
  // becomes the sum of phases that never overlap.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // stdout carries data only; every log line goes to stderr, coloured only on
  // a terminal and never when NO_COLOR is set (https://no-color.org).
  const char* no_color = std::getenv("NO_COLOR");
  auto logger = spdlog::stderr_color_mt(
      "recsys", no_color && *no_color ? spdlog::color_mode::never : spdlog::color_mode::automatic);
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);

  // Named, so that usage lines read "recsys train ..." however the binary was
  // called (build/recsys, a full path).
  CLI::App app{"recsys: train and evaluate embedding recommenders on ratings data", "recsys"};
  app.require_subcommand(1);
  app.set_version_flag("--version", recsys::cli::version_text());
  recsys::cli::register_train(app);
  recsys::cli::register_topn(app);
  recsys::cli::register_info(app);
  recsys::cli::register_synth(app);
  recsys::cli::register_metrics(app);
  recsys::cli::register_similar(app);
  recsys::cli::register_export(app);
  recsys::cli::register_project(app);
  recsys::cli::register_predict(app);
  recsys::cli::register_cv(app);
  recsys::cli::register_completion(app);
  recsys::cli::remember_arguments(argc, argv);
  // A bad RECSYS_KERNELS fails before any work, not after a long load.
  app.parse_complete_callback([] { recsys::kernels::active(); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "recsys: %s\n", recsys::cli::parse_error_message(app, e).c_str());
    return 2;
  } catch (const recsys::cli::StdoutClosed&) {
    return 0;
  } catch (const recsys::cli::Interrupted& e) {
    return 128 + e.signal;
  } catch (const recsys::cli::QuietExit& e) {
    return e.code;
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
