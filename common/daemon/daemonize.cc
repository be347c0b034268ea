#include "common/daemon/daemonize.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace elk::daemon {
namespace {

void RedirectToDevNull(int target_fd) {
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return;
  ::dup2(null_fd, target_fd);
  ::close(null_fd);
}

// The original process: waits for "R" (ready) or "F<message>" and exits accordingly.
[[noreturn]] void WaitForReport(int fd, pid_t middle) {
  std::string report;
  char buffer[512];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  ::waitpid(middle, &status, 0);
  if (!report.empty() && report[0] == 'R') std::_Exit(0);
  if (report.size() > 1) {
    std::fprintf(stderr, "%s\n", report.c_str() + 1);
  } else {
    std::fprintf(stderr, "start-up failed: the server exited before it was ready\n");
  }
  std::_Exit(1);
}

}  // namespace

StartupReporter::StartupReporter(StartupReporter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

StartupReporter& StartupReporter::operator=(StartupReporter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

StartupReporter::~StartupReporter() {
  if (fd_ >= 0) ::close(fd_);
}

void StartupReporter::Send(char tag, std::string_view message) {
  if (fd_ < 0) return;
  std::string report(1, tag);
  report += message;
  const char* p = report.data();
  size_t left = report.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::close(fd_);
  fd_ = -1;
}

void StartupReporter::Ready() {
  if (fd_ < 0) return;
  std::fflush(stdout);
  std::fflush(stderr);
  RedirectToDevNull(STDOUT_FILENO);
  RedirectToDevNull(STDERR_FILENO);
  Send('R', {});
}

void StartupReporter::Failed(std::string_view message) {
  Send('F', message);
}

Result<StartupReporter> Daemonize() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t middle = ::fork();
  if (middle < 0) {
    int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::FromErrno(e, "fork");
  }
  if (middle > 0) {
    ::close(fds[1]);
    WaitForReport(fds[0], middle);
  }
  ::close(fds[0]);
  ::setsid();
  pid_t server = ::fork();
  if (server < 0) std::_Exit(1);  // the parent sees the pipe close and reports failure
  if (server > 0) std::_Exit(0);
  RedirectToDevNull(STDIN_FILENO);
  return StartupReporter(fds[1]);
}

}  // namespace elk::daemon
