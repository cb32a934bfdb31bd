#include "stop_signals.hpp"

#include <unistd.h>

#include <csignal>

namespace recsys::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
struct sigaction g_previous_int {
}, g_previous_term{};

// SA_RESETHAND restores the default action, so a second signal quits at once
// (the previous model file is safe either way: see atomic_file.hpp).
extern "C" void on_stop_signal(int signal) {
  g_signal.store(signal);
  g_stop.store(true);
  static const char kMessage[] =
      "\nrecsys: stopping after this batch and saving (press Ctrl-C again to quit without "
      "saving)\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop = false;
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

const std::atomic<bool>* StopSignals::flag() const { return &g_stop; }

int StopSignals::received() const { return g_signal.load(); }

}  // namespace recsys::cli
