#pragma once
// Signals as events. SIGTERM/SIGINT/SIGHUP are blocked in every thread and read by one
// watcher thread through a signalfd, so no code runs inside a signal handler and threads
// the server starts later inherit the mask. SIGPIPE is ignored: a closed socket is an
// error value from write, not a death.

#include <functional>
#include <thread>

#include "common/status.h"

namespace elk::daemon {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (call before starting threads)
// and ignores SIGPIPE.
Status BlockDaemonSignals();

class SignalWatcher {
 public:
  struct Handlers {
    std::function<void()> on_stop;    // SIGTERM, SIGINT
    std::function<void()> on_reload;  // SIGHUP
  };

  SignalWatcher() = default;
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  ~SignalWatcher();

  // Starts the watcher thread. Handlers run on it, one at a time.
  Status Start(Handlers handlers);
  // Stops and joins the watcher thread.
  void Stop();

 private:
  void Loop();

  Handlers handlers_;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace elk::daemon
