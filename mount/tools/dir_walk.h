#pragma once
// mfsdirinfo's own walk, for a master that does not answer CLTOMA_GETDIRSTATS (one that
// predates it). Iterative (an explicit stack: no recursion, no depth limit), and it takes
// each node's attributes from its parent's READDIR answer, so a tree costs one request
// per directory. It counts what the master would, except that it cannot see which chunks
// a file has: it assumes a chunk for every 64 MiB of length (a sparse file's holes count).

#include <cstdint>
#include <functional>
#include <vector>

#include "common/protocol/records.h"
#include "common/status.h"
#include "mount/tools/backend.h"

namespace elk::tools {

// The children of a directory (without "." and ".."), with their attributes.
using ListChildren = std::function<Result<std::vector<protocol::Attr>>(uint32_t dir_inode)>;

// Sums the tree under `top` (its attributes). A file linked twice counts twice, as on the
// master.
Result<DirStats> WalkDirStats(const protocol::Attr& top, const ListChildren& list);

}  // namespace elk::tools
