// mfsmetarestore and mfsmetadump, as functions.

#include "master/meta/restore.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/changelog/reader.h"
#include "common/image/image_file.h"
#include "common/log/log.h"
#include "common/log/progress.h"
#include "master/meta/metadata.h"

namespace elk::master {

namespace {

Result<std::unique_ptr<Metadata>> LoadImageFile(const std::string& path) {
  auto img = image::Load(path);
  if (!img.ok()) return Status(Code::kCorruption, img.status().message());
  auto md = Metadata::FromImage(&*img);
  if (!md.ok()) return Status(md.code(), path + ": " + md.status().message());
  return md;
}

}  // namespace

Result<RestoreReport> RestoreMetadata(const RestoreOptions& o, uint32_t now) {
  RestoreReport report;
  report.image = o.image;
  report.output = o.output;
  auto md = o.image.empty() ? Metadata::FromImage(nullptr) : LoadImageFile(o.image);
  if (!md.ok()) return md.status();
  report.image_version = (*md)->version();
  log::Counter replayed("mfsmetarestore: replaying changelogs", "records", 1'000'000);
  uint64_t n = 0;
  auto last = changelog::Replay(o.changelogs, report.image_version, /*cut_torn=*/false,
                                [&](const changelog::Record& r) {
                                  replayed.Update(++n);
                                  return (*md)->Replay(r);
                                });
  if (!last.ok()) return last.status();
  report.version = (*md)->version();
  report.applied = report.version - report.image_version;
  auto img = (*md)->MakeImage(now);
  if (!img.ok()) return img.status();
  auto bytes = image::Encode(*img);
  if (!bytes.ok()) return bytes.status();
  ELK_RETURN_IF_ERROR(WriteFileAtomically(o.output, *bytes));
  return report;
}

Result<RestoreOptions> AutoRestoreOptions(const std::string& dir) {
  RestoreOptions o;
  std::vector<std::string> candidates = {image::ImagePath(dir), dir + "/metadata_ml.mfs.back"};
  for (uint32_t n = 1; n <= 99; ++n)
    candidates.push_back(image::BackPath(dir, n));
  uint64_t best = 0;
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), F_OK) != 0) continue;
    auto img = image::Load(path);
    if (!img.ok()) {
      log::Warning("{}: skipped: {}", path, img.status().message());
      continue;
    }
    if (o.image.empty() || img->version > best) {
      o.image = path;
      best = img->version;
    }
  }
  o.changelogs = changelog::ListFiles(dir, "changelog");
  for (std::string& f : changelog::ListFiles(dir, "changelog_ml"))
    o.changelogs.push_back(std::move(f));
  if (o.image.empty() && o.changelogs.empty()) {
    return Status(Code::kNoEnt, fmt::format("{}: no metadata image and no changelog", dir));
  }
  o.output = image::ImagePath(dir);
  return o;
}

Result<std::string> DumpImage(const std::string& path) {
  auto md = LoadImageFile(path);
  if (!md.ok()) return md.status();
  return fmt::format("# version {}\n{}{}", (*md)->version(), (*md)->ns().Dump(),
                     (*md)->DumpChunks());
}

}  // namespace elk::master
