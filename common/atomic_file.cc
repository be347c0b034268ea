#include "common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace elk {

Status WriteFileSynced(const std::string& path, std::string_view bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno(errno, "create " + path);
  size_t done = 0;
  Status s;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      s = Status::FromErrno(n < 0 ? errno : EIO, "write " + path);
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (s.ok() && ::fsync(fd) != 0) s = Status::FromErrno(errno, "fsync " + path);
  ::close(fd);
  return s;
}

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::FromErrno(errno, "fsync " + dir);
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes, mode_t mode) {
  const std::string tmp = path + ".tmp";
  if (Status s = WriteFileSynced(tmp, bytes, mode); !s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::FromErrno(errno, "rename " + tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDir(DirOf(path));
}

}  // namespace elk
