#pragma once
// A child process the tests started, stopped only by its pid. The destructor kills it (and
// reaps it) if it still runs, so a failing test leaves nothing behind.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::test {

class Process {
 public:
  Process() = default;
  // Starts argv[0] (a path) with stdout and stderr appended to log_path.
  static Result<Process> Spawn(const std::vector<std::string>& argv, const std::string& log_path);
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Alive();
  // SIGTERM, then wait up to `timeout`; SIGKILL if it did not end. Returns its exit status
  // (or 128 + signal).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL and reap: a crash, as the fault tests want.
  void Kill();
  // Waits up to `timeout` for it to end by itself; -1 if it still runs.
  int Wait(std::chrono::milliseconds timeout);

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  int Reap(bool block);

  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// A TCP port nobody listens on right now (bind to port 0, read it, close).
uint16_t FreePort();
// Polls until something listens on 127.0.0.1:port, up to `timeout`.
bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace elk::test
