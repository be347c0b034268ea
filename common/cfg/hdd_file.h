#pragma once
// mfshdd.cfg: the chunkserver's disks, one folder per line.
//
//   /mnt/hdd1                # a disk
//   */mnt/hdd2               # marked for removal: its chunks are copied away
//   /mnt/hdd3   100GiB       # use at most 100 GiB
//   /mnt/hdd4   -10GiB       # leave at least 10 GiB free
//
// A path may contain spaces; a last word that reads as a size is the limit.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace elk::cfg {

struct HddEntry {
  enum class Limit { kNone, kMaxUse, kLeaveFree };

  std::string path;
  bool marked_for_removal = false;
  Limit limit_kind = Limit::kNone;
  uint64_t limit_bytes = 0;
  size_t line = 0;
};

// Every bad line is named in the Status ("path:line: reason", one per line).
Result<std::vector<HddEntry>> ParseHddFile(std::string_view text, std::string_view name);
Result<std::vector<HddEntry>> LoadHddFile(const std::string& path);

}  // namespace elk::cfg
