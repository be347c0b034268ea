#pragma once
// What mfsmetalogger keeps in DATA_PATH, in the files mfsmetarestore -a reads:
//
//   metadata_ml.mfs.back   the last image downloaded (replaced atomically)
//   changelog_ml.0.mfs     records after it, appended as they arrive
//   changelog_ml.N.mfs     older files, rotated at each image download (BACK_LOGS kept)
//
// Open() finds the last version held: the image's, then the records that run on from it
// without a gap (a torn last record, from a kill mid-write, is cut). Files that do not run
// on from the image count as nothing held, so the next registration brings a fresh image.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/changelog/writer.h"
#include "common/status.h"

namespace elk::metalogger {

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, uint32_t back_logs);

  // The newest version held (0: nothing, an image is needed).
  uint64_t last_version() const { return last_version_; }
  uint64_t image_version() const { return image_version_; }

  // Buffers one record; kMismatch unless it follows last_version().
  Status Append(uint64_t version, std::string_view body);
  // Writes the buffered records.
  Status Commit();
  // Writes a downloaded image (already checked) as metadata_ml.mfs.back - temporary file,
  // fsync, rename, folder sync - then rotates the changelog and continues from `version`.
  Status SaveImage(std::string_view bytes, uint64_t version);

  static std::string ImagePath(const std::string& dir);

 private:
  Store(std::string dir, uint32_t back_logs) : dir_(std::move(dir)), back_logs_(back_logs) {}
  Status OpenWriter();

  std::string dir_;
  uint32_t back_logs_;
  uint64_t image_version_ = 0;
  uint64_t last_version_ = 0;
  std::unique_ptr<changelog::Writer> writer_;
};

}  // namespace elk::metalogger
