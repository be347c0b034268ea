#include "metalogger/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/atomic_file.h"
#include "common/changelog/reader.h"
#include "common/image/image_file.h"
#include "common/log/log.h"

namespace elk::metalogger {

namespace {

constexpr char kPrefix[] = "changelog_ml";

}  // namespace

std::string Store::ImagePath(const std::string& dir) {
  return dir + "/metadata_ml.mfs.back";
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, uint32_t back_logs) {
  std::unique_ptr<Store> store(new Store(dir, back_logs));  // private constructor
  std::string image_path = ImagePath(dir);
  if (::access(image_path.c_str(), F_OK) == 0) {
    auto img = image::Load(image_path);
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
  if (Status s = WriteFileSynced(tmp, bytes); !s.ok()) {
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
