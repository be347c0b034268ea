#include "master/namespace/namespace.h"

namespace elk::master {

Status Namespace::PunchChunks(const Cred& cred, InodeId inode, uint32_t first, uint32_t count,
                              uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (node->is_dir()) return Status(Code::kIsDir);
  if (!node->is_file()) return Status(Code::kInval, "only files have chunks");
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *node, kMayWrite));
  for (ChunkId c : node->chunks.Punch(first, uint64_t{first} + count))
    refs_.Unref(c, node->goal);
  node->mtime = FileTimeOf(now);
  node->ctime = now;
  return Status::Ok();
}

}  // namespace elk::master
