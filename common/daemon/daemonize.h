#pragma once
// Detaching from the terminal the classic way (fork, setsid, fork), with a pipe back to
// the process that ran the command so it can exit with the server's start-up result:
// `mfsmaster start` fails, with the reason, when initialization fails.

#include <string_view>

#include "common/status.h"

namespace elk::daemon {

// Held by the detached server; tells the waiting parent how start-up went. Destroying it
// unreported counts as failure (the parent sees the pipe close).
class StartupReporter {
 public:
  StartupReporter() = default;
  explicit StartupReporter(int fd) : fd_(fd) {}
  StartupReporter(StartupReporter&& other) noexcept;
  StartupReporter& operator=(StartupReporter&& other) noexcept;
  StartupReporter(const StartupReporter&) = delete;
  StartupReporter& operator=(const StartupReporter&) = delete;
  ~StartupReporter();

  // Started: the parent exits 0. Also points stdout/stderr at /dev/null: the terminal
  // belongs to whoever ran the command, not to the server.
  void Ready();
  // Failed: the parent prints message and exits 1.
  void Failed(std::string_view message);

 private:
  void Send(char tag, std::string_view message);
  int fd_ = -1;
};

// Returns only in the detached grandchild. The original process waits for the report and
// exits (0 on Ready, 1 otherwise); the middle process exits at once. stdin is /dev/null
// from here on; stderr stays open until Ready so start-up errors reach the terminal.
Result<StartupReporter> Daemonize();

}  // namespace elk::daemon
