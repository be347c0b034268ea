#include "common/cfg/file_read.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace elk::cfg {

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, path);
  std::string text;
  char buffer[8192];
  // Config files are small; a cap keeps a mistaken path (a device, a huge log) harmless.
  constexpr size_t kMaxBytes = 64 << 20;
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Status::FromErrno(e, path);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxBytes) {
      ::close(fd);
      return Status(Code::kTooBig, path + ": larger than 64 MiB");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace elk::cfg
