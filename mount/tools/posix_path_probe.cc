#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "mount/tools/path_probe.h"

namespace elk::tools {
namespace {

// Owns a file descriptor for the length of one call.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The message is the reason alone: the tools print "<path>: <reason>".
Status Errno() {
  return Status(from_errno(errno), std::strerror(errno));
}

}  // namespace

Result<NodeStat> PosixPathProbe::Stat(const std::string& path, bool follow) {
  struct stat st {};
  int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) return Errno();
  return NodeStat{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                  static_cast<uint32_t>(st.st_mode), static_cast<uint64_t>(st.st_size)};
}

Result<std::string> PosixPathProbe::Canonical(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) return Errno();
  return std::string(resolved.get());
}

Result<std::string> PosixPathProbe::ReadSmallFile(const std::string& path) {
  constexpr size_t kLimit = 64 * 1024;  // .masterinfo is one short line
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno();
  std::string data;
  char buf[4096];
  while (data.size() < kLimit) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno();
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

Status PosixPathProbe::CreateFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
  if (fd.get() < 0) return Errno();
  return Status::Ok();
}

}  // namespace elk::tools
