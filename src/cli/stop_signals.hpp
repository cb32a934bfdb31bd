#pragma once
// Ctrl-C and SIGTERM during a long command: the first asks the work to stop
// at the next safe point (the command then saves what it has and exits
// 128 + the signal, as a shell reports an interrupted command); a second one
// quits at once, with the default action.
#include <atomic>

namespace recsys::cli {

// Installs the handlers for SIGINT and SIGTERM, restoring the previous ones
// when it goes out of scope. One at a time.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Set once a signal has arrived: hand it to the work as its stop flag.
  const std::atomic<bool>* flag() const;
  // The signal that arrived (SIGINT or SIGTERM), 0 while none has.
  int received() const;
};

}  // namespace recsys::cli
