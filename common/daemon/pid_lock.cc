#include "common/daemon/pid_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <string_view>
#include <thread>

namespace elk::daemon {
namespace {

std::optional<pid_t> ReadPid(int fd) {
  char buffer[32] = {};
  ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return std::nullopt;
  std::string_view text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  pid_t pid = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || ptr != text.data() + text.size() || pid <= 0) return std::nullopt;
  return pid;
}

// The holder writes its pid just after it takes the lock; give it a moment to do so.
pid_t WaitForPid(int fd) {
  for (int i = 0; i < 50; ++i) {
    if (auto pid = ReadPid(fd)) return *pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

}  // namespace

Result<PidLock> PidLock::Acquire(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, fmt::format("can't open lock file {}", path));
  // LockHolder() probes with a brief shared lock; retry a little so a probe running at
  // the same moment does not pass for a running server.
  int e = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    e = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
    if (e != EWOULDBLOCK) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (e != 0) {
    if (e != EWOULDBLOCK) {
      ::close(fd);
      return Status::FromErrno(e, fmt::format("can't lock {}", path));
    }
    pid_t holder = WaitForPid(fd);
    ::close(fd);
    return Status(Code::kLocked,
                  fmt::format("{} is locked by a running process (pid {})", path, holder));
  }
  std::string pid = fmt::format("{}\n", getpid());
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    e = errno;
    ::close(fd);
    return Status::FromErrno(e, fmt::format("can't write pid to {}", path));
  }
  return PidLock(path, fd);
}

PidLock::PidLock(PidLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

PidLock& PidLock::operator=(PidLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

PidLock::~PidLock() {
  if (fd_ < 0) return;
  // Empty the file before letting go, so a reader never sees a dead pid as the holder.
  if (ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock itself is what counts, and it goes with the close.
  }
  ::close(fd_);
}

std::optional<pid_t> LockHolder(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<pid_t> holder;
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
    flock(fd, LOCK_UN);
  } else if (errno == EWOULDBLOCK) {
    holder = WaitForPid(fd);
  }
  ::close(fd);
  return holder;
}

}  // namespace elk::daemon
