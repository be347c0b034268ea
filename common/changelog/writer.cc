#include "common/changelog/writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/atomic_file.h"
#include "common/changelog/record.h"

namespace elk::changelog {

std::string ChangelogPath(const std::string& dir, const std::string& prefix, uint32_t n) {
  return fmt::format("{}/{}.{}.mfs", dir, prefix, n);
}

Writer::Writer(WriterOptions options, uint64_t last_version)
    : options_(std::move(options)), last_version_(last_version), committed_version_(last_version) {}

Writer::~Writer() {
  if (fd_ >= 0) {
    if (failed_.ok()) (void)Commit();
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
  if (!failed_.ok()) return failed_;
  if (version != last_version_ + 1) {
    return Status(Code::kMismatch,
                  fmt::format("changelog: version {} does not follow {}", version, last_version_));
  }
  pending_ += FormatRecord(version, body);
  last_version_ = version;
  sync_owed_ = sync_owed_ || sync;
  return Status::Ok();
}

Status Writer::Fail(Status s) {
  failed_ = Status(s.code(), fmt::format("{} (the changelog is spent: nothing after version "
                                         "{} can be acknowledged)",
                                         s.message(), committed_version_));
  return failed_;
}

Status Writer::WriteAll() {
  size_t done = 0;
  while (done < pending_.size()) {
    const void* from = pending_.data() + done;
    const size_t left = pending_.size() - done;
    const ssize_t n =
        options_.ops.write ? options_.ops.write(fd_, from, left) : ::write(fd_, from, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;  // a write of nothing: no room
      return Status::FromErrno(err, fmt::format("write {}: {} of {} bytes written", current_path(),
                                                done, pending_.size()));
    }
    done += static_cast<size_t>(n);  // a short write goes on from where it stopped
  }
  return Status::Ok();
}

Status Writer::Commit() {
  if (!failed_.ok()) return failed_;
  if (Status s = WriteAll(); !s.ok()) return Fail(s);
  pending_.clear();
  bool sync = sync_owed_ && options_.sync == SyncPolicy::kAlways;
  sync_owed_ = false;
  if (sync) {
    ++syncs_;
    const int rc = options_.ops.fdatasync ? options_.ops.fdatasync(fd_) : ::fdatasync(fd_);
    if (rc != 0) return Fail(Status::FromErrno(errno, "fdatasync " + current_path()));
  }
  committed_version_ = last_version_;
  return Status::Ok();
}

Status Writer::Rotate() {
  ELK_RETURN_IF_ERROR(Commit());  // a spent writer rotates nothing
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

}  // namespace elk::changelog
