#include "metalogger/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/log/log.h"
#include "master/changelog/reader.h"
#include "master/image/image_file.h"

namespace elk::metalogger {

namespace changelog = master::changelog;

namespace {

constexpr char kPrefix[] = "changelog_ml";

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, "write " + path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::FromErrno(errno, "fsync " + dir);
}

}  // namespace

std::string Store::ImagePath(const std::string& dir) {
  return dir + "/metadata_ml.mfs.back";
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, uint32_t back_logs) {
  std::unique_ptr<Store> store(new Store(dir, back_logs));  // private constructor
  std::string image_path = ImagePath(dir);
  if (::access(image_path.c_str(), F_OK) == 0) {
    auto img = master::image::Load(image_path);
    if (img.ok()) {
      store->image_version_ = img->version;
    } else {
      log::Warning("{}: not loadable, a fresh image will be downloaded: {}", image_path,
                   img.status().ToString());
    }
  }
  if (store->image_version_ > 0) {
    auto files = changelog::ListFiles(dir, kPrefix);
    auto last = changelog::Replay(files, store->image_version_, /*cut_torn=*/true,
                                  [](const changelog::Record&) { return Status::Ok(); });
    if (last.ok()) {
      store->last_version_ = *last;
    } else {
      log::Warning(
          "{}: changelogs do not run on from the image (version {}): {}; a fresh "
          "image will be downloaded",
          dir, store->image_version_, last.status().ToString());
      store->last_version_ = 0;
    }
  }
  ELK_RETURN_IF_ERROR(store->OpenWriter());
  return store;
}

Status Store::OpenWriter() {
  writer_.reset();
  changelog::WriterOptions wo;
  wo.dir = dir_;
  wo.prefix = kPrefix;
  wo.back_logs = back_logs_;
  // Like MooseFS's metalogger: write() per batch, no fsync; the image save is synced.
  wo.sync = changelog::SyncPolicy::kNever;
  auto w = changelog::Writer::Open(wo, last_version_);
  if (!w.ok()) return w.status();
  writer_ = std::move(*w);
  return Status::Ok();
}

Status Store::Append(uint64_t version, std::string_view body) {
  if (last_version_ == 0) return Status(Code::kMismatch, "no image held yet");
  ELK_RETURN_IF_ERROR(writer_->Append(version, body));
  last_version_ = version;
  return Status::Ok();
}

Status Store::Commit() {
  return writer_->Commit();
}

Status Store::SaveImage(std::string_view bytes, uint64_t version) {
  std::string path = ImagePath(dir_);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create " + tmp);
  Status s = WriteAll(fd, bytes, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::FromErrno(errno, "fsync " + tmp);
  ::close(fd);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // Records still buffered belong to the old history: write them before the rotation.
  ELK_RETURN_IF_ERROR(writer_->Commit());
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "rename " + tmp);
  ELK_RETURN_IF_ERROR(SyncDir(dir_));
  ELK_RETURN_IF_ERROR(writer_->Rotate());
  image_version_ = version;
  last_version_ = version;
  return OpenWriter();
}

}  // namespace elk::metalogger
