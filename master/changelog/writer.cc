#include "master/changelog/writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/atomic_file.h"
#include "master/changelog/record.h"

namespace elk::master::changelog {

std::string ChangelogPath(const std::string& dir, const std::string& prefix, uint32_t n) {
  return fmt::format("{}/{}.{}.mfs", dir, prefix, n);
}

Writer::Writer(WriterOptions options, uint64_t last_version)
    : options_(std::move(options)), last_version_(last_version) {}

Writer::~Writer() {
  if (fd_ >= 0) {
    (void)Commit();
    ::close(fd_);
  }
}

Result<std::unique_ptr<Writer>> Writer::Open(const WriterOptions& options, uint64_t last_version) {
  std::unique_ptr<Writer> w(new Writer(options, last_version));  // private constructor
  ELK_RETURN_IF_ERROR(w->OpenCurrent());
  return w;
}

std::string Writer::current_path() const {
  return ChangelogPath(options_.dir, options_.prefix, 0);
}

Status Writer::OpenCurrent() {
  std::string path = current_path();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::FromErrno(errno, "open changelog " + path);
  return Status::Ok();
}

Status Writer::Append(uint64_t version, std::string_view body, bool sync) {
  if (version != last_version_ + 1) {
    return Status(Code::kMismatch,
                  fmt::format("changelog: version {} does not follow {}", version, last_version_));
  }
  pending_ += FormatRecord(version, body);
  last_version_ = version;
  sync_owed_ = sync_owed_ || sync;
  return Status::Ok();
}

Status Writer::Commit() {
  size_t done = 0;
  while (done < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "write " + current_path());
    done += static_cast<size_t>(n);
  }
  pending_.clear();
  bool sync = sync_owed_ && options_.sync == SyncPolicy::kAlways;
  sync_owed_ = false;
  if (!sync) return Status::Ok();
  ++syncs_;
  if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, "fdatasync " + current_path());
  return Status::Ok();
}

Status Writer::Rotate() {
  ELK_RETURN_IF_ERROR(Commit());
  ::close(fd_);
  fd_ = -1;
  ::unlink(ChangelogPath(options_.dir, options_.prefix, options_.back_logs).c_str());
  for (uint32_t n = options_.back_logs; n > 0; n--) {
    std::string from = ChangelogPath(options_.dir, options_.prefix, n - 1);
    std::string to = ChangelogPath(options_.dir, options_.prefix, n);
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "rotate " + from);
    }
  }
  ELK_RETURN_IF_ERROR(OpenCurrent());
  // The renames and the new file are entries of the folder: a crash must not lose them.
  return SyncDir(options_.dir);
}

}  // namespace elk::master::changelog
