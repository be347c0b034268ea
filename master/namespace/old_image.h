#pragma once
// Test-only: the NODE section as masters of image formats 1 and 2 wrote it (atime, mtime
// and ctime as u32-second varints), for a root directory holding one file. Built field by
// field from docs/metadata-image.md, not by today's writer, so it shows that images
// saved before format 3 still load.

#include <string>

#include "master/namespace/byte_codec.h"
#include "master/namespace/types.h"

namespace elk::master::old_image {

struct Times {
  uint32_t atime = 0;
  uint32_t mtime = 0;
  uint32_t ctime = 0;
};

// One node's fields up to its chunk list (none): the layout of formats 1 and 2.
inline void PutNode(ByteWriter& w, InodeId id, NodeType type, uint16_t mode, const Times& t,
                    uint32_t nlink) {
  w.Var(id);
  w.Byte(static_cast<uint8_t>(type));
  w.Var(mode);
  w.Var(0);  // uid
  w.Var(0);  // gid
  w.Var(t.atime);
  w.Var(t.mtime);
  w.Var(t.ctime);
  w.Var(nlink);
  w.Var(0);  // length
  w.Byte(kDefaultGoal);
  w.Var(kDefaultTrashTime);
  w.Var(kRootInode);  // parent
  w.Byte(0);          // flags
  w.Var(0);           // no chunks
  w.Byte(0);          // no rdev
  w.Var(0);           // no xattrs
}

// "/" (inode 1) with the file "f" (inode 2); format 1 ends before the cooling list.
inline std::string RootAndFile(uint64_t format, const Times& root, const Times& file) {
  ByteWriter w;
  PutNode(w, kRootInode, NodeType::kDirectory, 0755, root, 2);
  w.Str("");  // the root's own name
  w.Var(1);   // next entry sequence number
  w.Var(1);   // one entry: seq name child
  w.Var(0);
  w.Str("f");
  w.Var(2);
  PutNode(w, 2, NodeType::kFile, 0644, file, 1);
  w.Var(0);                   // end of nodes
  w.Var(0);                   // trash
  w.Var(0);                   // reserved
  w.Var(0);                   // opens
  if (format >= 2) w.Var(0);  // cooling
  return w.Take();
}

}  // namespace elk::master::old_image
