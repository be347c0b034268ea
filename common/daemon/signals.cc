#include "common/daemon/signals.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

#include "common/log/log.h"

namespace elk::daemon {
namespace {

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

Status BlockDaemonSignals() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set = DaemonSignals();
  int e = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (e != 0) return Status::FromErrno(e, "pthread_sigmask");
  return Status::Ok();
}

SignalWatcher::~SignalWatcher() {
  Stop();
}

Status SignalWatcher::Start(Handlers handlers) {
  handlers_ = std::move(handlers);
  sigset_t set = DaemonSignals();
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  if (signal_fd_ < 0) return Status::FromErrno(errno, "signalfd");
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::FromErrno(errno, "eventfd");
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void SignalWatcher::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) != sizeof one) {
      log::Error("signal watcher: can't wake the watcher thread");
    }
    thread_.join();
  }
  if (signal_fd_ >= 0) close(signal_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  signal_fd_ = wake_fd_ = -1;
}

void SignalWatcher::Loop() {
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::Error("signal watcher: poll failed (errno {})", errno);
      return;
    }
    if (fds[1].revents != 0) return;
    signalfd_siginfo info{};
    if (read(signal_fd_, &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGHUP) {
      if (handlers_.on_reload) handlers_.on_reload();
    } else if (handlers_.on_stop) {
      log::Notice("got signal {}, stopping", info.ssi_signo);
      handlers_.on_stop();
    }
  }
}

}  // namespace elk::daemon
