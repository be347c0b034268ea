#pragma once
// mfshdd.cfg: the chunkserver's disks, one folder per line.
//
//   /mnt/hdd1                # a disk
//   */mnt/hdd2               # marked for removal: its chunks are copied away
//   /mnt/hdd3   100GiB       # use at most 100 GiB
//   /mnt/hdd4   -10GiB       # leave at least 10 GiB free
//   </mnt/hdd5               # MooseFS: move this disk's chunks to the other local disks
//   >/mnt/hdd6               # MooseFS: move the other local disks' chunks here
//   ~/mnt/hdd7               # MooseFS: a compressed file system whose size may jump
//
// Prefixes may be combined ("*~/path"). A path may contain spaces; a last word that reads
// as a size is the limit. As MooseFS does, a bad line is warned about ("path:line:
// reason (line skipped)") and skipped: a disk left out grants nobody anything. What
// ElkFS does with '<', '>' and '~' is in docs/chunkserver.md; each is warned about once
// per line where it is not done in full.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace elk::cfg {

struct HddEntry {
  enum class Limit { kNone, kMaxUse, kLeaveFree };

  std::string path;
  bool marked_for_removal = false;  // '*'
  bool move_out = false;            // '<': takes no new chunks (its chunks are not moved)
  bool move_in = false;             // '>': accepted, not acted on
  bool size_may_jump = false;       // '~': ElkFS never judges a disk by its size changes
  Limit limit_kind = Limit::kNone;
  uint64_t limit_bytes = 0;
  size_t line = 0;
};

// Never fails today (bad lines are skipped with a warning); a Result so a line that must
// stop the chunkserver can be added without changing callers.
Result<std::vector<HddEntry>> ParseHddFile(std::string_view text, std::string_view name);
Result<std::vector<HddEntry>> LoadHddFile(const std::string& path);

}  // namespace elk::cfg
