#include "master/namespace/namespace.h"

namespace elk::master {

Status Namespace::PunchChunks(const Cred& cred, InodeId inode, uint32_t first, uint32_t count,
                              uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (node->is_dir()) return Status(Code::kIsDir);
  if (!node->is_file()) return Status(Code::kInval, "only files have chunks");
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *node, kMayWrite));
  const uint64_t end = std::min<uint64_t>(uint64_t{first} + count, node->chunks.size());
  for (uint64_t i = first; i < end; ++i) {
    const auto at = static_cast<uint32_t>(i);
    if (node->chunks[at] == 0) continue;
    refs_.Unref(node->chunks[at], node->goal);
    node->chunks[at] = 0;
  }
  node->mtime = FileTimeOf(now);
  node->ctime = now;
  return Status::Ok();
}

}  // namespace elk::master
