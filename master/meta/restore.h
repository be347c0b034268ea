#pragma once
// mfsmetarestore's work, as a library so tests run the same code: load an image (or start
// from nothing), replay changelog files, write the recovered image.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::master {

struct RestoreOptions {
  std::string image;                    // empty: no image, start from an empty file system
  std::vector<std::string> changelogs;  // any order; overlapping files are fine
  std::string output;                   // where the recovered image goes
};

struct RestoreReport {
  std::string image;           // the image loaded ("" when none)
  uint64_t image_version = 0;  // its version (0 when none)
  uint64_t applied = 0;        // changelog records applied
  uint64_t version = 0;        // the version written
  std::string output;
};

// Loads, replays (a torn last record is ignored, never cut: the files are left as they are),
// writes `output` atomically. kCorruption naming the file on a damaged image or changelog.
Result<RestoreReport> RestoreMetadata(const RestoreOptions& options, uint32_t now);

// mfsmetarestore -a: in `dir`, the newest loadable image among metadata.mfs,
// metadata_ml.mfs.back and metadata.mfs.back.N; every changelog.N.mfs and
// changelog_ml.N.mfs; output dir/metadata.mfs. Damaged images are skipped with a warning.
Result<RestoreOptions> AutoRestoreOptions(const std::string& dir);

// mfsmetadump: the image as text (namespace Dump() then the chunk registry).
Result<std::string> DumpImage(const std::string& path);

}  // namespace elk::master
