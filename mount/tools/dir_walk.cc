#include "mount/tools/dir_walk.h"

#include "common/stored_size.h"

namespace elk::tools {

namespace {

void Count(const protocol::Attr& a, DirStats& s) {
  ++s.inodes;
  if (a.type == protocol::NodeType::kDirectory) ++s.dirs;
  if (a.type != protocol::NodeType::kFile) return;
  ++s.files;
  s.length += a.length;
  s.chunks += (a.length + kChunkSize - 1) / kChunkSize;
  const uint64_t size = DenseFileStoredBytes(a.length);
  s.size += size;
  s.realsize += size * a.goal;
}

}  // namespace

Result<DirStats> WalkDirStats(const protocol::Attr& top, const ListChildren& list) {
  DirStats s;
  Count(top, s);
  // Directories still to list. Only directories wait here, so the stack holds at most the
  // pending subdirectories, never a whole level of files.
  std::vector<uint32_t> dirs;
  if (top.type == protocol::NodeType::kDirectory) dirs.push_back(top.inode);
  while (!dirs.empty()) {
    const uint32_t dir = dirs.back();
    dirs.pop_back();
    auto children = list(dir);
    if (!children.ok()) return children.status();
    for (const protocol::Attr& child : *children) {
      Count(child, s);
      if (child.type == protocol::NodeType::kDirectory) dirs.push_back(child.inode);
    }
  }
  return s;
}

}  // namespace elk::tools
