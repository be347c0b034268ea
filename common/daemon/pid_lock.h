#pragma once
// The lock file <DATA_PATH>/.<program>.lock: holds the pid of the running server and an
// flock(2) lock. The lock dies with the process, so a crash never leaves a stale lock,
// and a second instance is refused while the first lives.

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/status.h"

namespace elk::daemon {

class PidLock {
 public:
  // Takes the lock and writes our pid into the file. When another process holds it, the
  // Status is kLocked and names that pid.
  static Result<PidLock> Acquire(const std::string& path);

  PidLock(PidLock&& other) noexcept;
  PidLock& operator=(PidLock&& other) noexcept;
  PidLock(const PidLock&) = delete;
  PidLock& operator=(const PidLock&) = delete;
  ~PidLock();

  const std::string& path() const { return path_; }

 private:
  PidLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// The pid of the process that holds the lock at path, or nullopt when none does.
std::optional<pid_t> LockHolder(const std::string& path);

}  // namespace elk::daemon
