#pragma once
// Reads changelog files back for recovery. A torn last record (cut by a crash mid-write) is
// detected and reported so it can be cut; a bad record anywhere else, or a gap in versions,
// refuses the whole replay: recovery never applies half a history silently.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/changelog/record.h"
#include "common/status.h"

namespace elk::changelog {

struct FileContents {
  std::vector<Record> records;
  uint64_t valid_bytes = 0;  // length of the file up to the end of its last good record
  bool torn_tail = false;    // the bytes after valid_bytes are a record cut short
};

// Reads one file. kCorruption if a bad record is followed by good ones.
Result<FileContents> ReadFile(const std::string& path);

// Cuts a file back to `valid_bytes` (after ReadFile reported a torn tail).
Status CutTornTail(const std::string& path, uint64_t valid_bytes);

// The changelog files of `prefix` in `dir`, oldest first (changelog.N ... changelog.0).
std::vector<std::string> ListFiles(const std::string& dir, const std::string& prefix);

// Calls `apply` for every record with version > `after`, in order, across `files` (any
// order; sorted by their first version). Versions must run on from `after` + 1 with no gap.
// Torn tails are cut only when `cut_torn` is set; otherwise a torn tail ends the replay with
// a warning. Returns the last version applied (== after when there was nothing newer).
Result<uint64_t> Replay(const std::vector<std::string>& files, uint64_t after, bool cut_torn,
                        const std::function<Status(const Record&)>& apply);

}  // namespace elk::changelog
