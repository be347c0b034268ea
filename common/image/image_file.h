#pragma once
// The metadata image container, `metadata.mfs`: a header, named sections each zstd-compressed
// with the CRC32C of its raw bytes, and an end marker holding the CRC of everything before
// it. The master's namespace, chunk registry and sessions each write their own sections; this
// file knows only the container. See docs/metadata-image.md.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::image {

struct Section {
  std::string tag;   // exactly 4 characters, e.g. "NODE", "EDGE", "CHNK"
  std::string data;  // raw (uncompressed) bytes
};

struct Image {
  uint64_t version = 0;   // metadata version of the last mutation in the image
  uint64_t saved_at = 0;  // seconds since the epoch
  std::vector<Section> sections;

  const Section* Find(std::string_view tag) const;
};

// Serializes to bytes (header, compressed sections, end marker).
Result<std::string> Encode(const Image& image, int zstd_level = 3);
// Parses and checks every checksum; kCorruption naming what failed.
Result<Image> Decode(std::string_view bytes);

// Writes `<dir>/metadata.mfs` safely: to a temporary file, fsync, then the current image
// becomes metadata.mfs.back.1 (older backs shift up, keeping `keep_backs`), and the new one is
// renamed into place and the folder synced. A crash at any point leaves a loadable image.
Status Save(const std::string& dir, const Image& image, uint32_t keep_backs);
Result<Image> Load(const std::string& path);

std::string ImagePath(const std::string& dir);             // <dir>/metadata.mfs
std::string BackPath(const std::string& dir, uint32_t n);  // <dir>/metadata.mfs.back.N

}  // namespace elk::image
