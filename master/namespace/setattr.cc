// setattr: chmod, chown, utimens and truncate, each with POSIX's rules on who may.
// Every check runs before anything changes, so a refused request changes nothing.

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {

Status CheckChmod(const Cred& cred, const Node& node) {
  if (cred.IsRoot() || cred.uid == node.uid) return Status::Ok();
  return Status(Code::kPerm, "only the owner may chmod");
}

Status CheckChown(const Cred& cred, const Node& node, const SetAttrRequest& req) {
  if (cred.IsRoot()) return Status::Ok();
  if (req.uid && *req.uid != node.uid) return Status(Code::kPerm, "only root gives files away");
  if (req.gid && *req.gid != node.gid) {
    if (cred.uid != node.uid) return Status(Code::kPerm, "only the owner may chgrp");
    if (!cred.InGroup(*req.gid)) return Status(Code::kPerm, "not a member of that group");
  }
  return Status::Ok();
}

}  // namespace

static Status CheckTimes(const Cred& cred, const Node& node, const SetAttrRequest& req,
                         bool can_write) {
  bool owner = cred.IsRoot() || cred.uid == node.uid;
  if (req.atime_how == TimeSet::kValue || req.mtime_how == TimeSet::kValue) {
    if (!owner) return Status(Code::kPerm, "only the owner sets explicit times");
  }
  if (req.atime_how == TimeSet::kNow || req.mtime_how == TimeSet::kNow) {
    if (!owner && !can_write) return Status(Code::kAccess);
  }
  return Status::Ok();
}

std::vector<ChunkId> Namespace::TruncateChunks(Node& node, uint64_t length) {
  std::vector<ChunkId> released;
  // No rounding overflow: replay may bring any length an older master logged.
  const uint64_t keep = length / kChunkSize + (length % kChunkSize != 0);
  for (ChunkId c : node.chunks.Punch(keep, node.chunks.size())) {
    refs_.Unref(c, node.goal);
    released.push_back(c);
  }
  if (keep < node.chunks.size()) node.chunks.Resize(static_cast<uint32_t>(keep));
  node.length = length;
  return released;
}

Result<SetAttrResult> Namespace::SetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req,
                                         uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  bool can_write = Permits(cred, *node, kMayWrite);
  if (req.mode) ELK_RETURN_IF_ERROR(CheckChmod(cred, *node));
  if (req.uid || req.gid) ELK_RETURN_IF_ERROR(CheckChown(cred, *node, req));
  ELK_RETURN_IF_ERROR(CheckTimes(cred, *node, req, can_write));
  if (req.length) {
    if (node->is_dir()) return Status(Code::kIsDir);
    if (!node->is_file()) return Status(Code::kInval, "only files have a settable length");
    if (!can_write) return Status(Code::kAccess);
  }

  SetAttrResult result;
  if (req.mode) {
    node->mode = *req.mode & kModeMask;
    uint32_t group = req.gid.value_or(node->gid);
    if (!cred.IsRoot() && !cred.InGroup(group)) {
      node->mode &= static_cast<uint16_t>(~kModeSetGid);
    }
  }
  if (req.uid || req.gid) {
    node->uid = req.uid.value_or(node->uid);
    node->gid = req.gid.value_or(node->gid);
    // A changed owner must not keep privileges granted by the old one.
    if (!node->is_dir()) node->mode &= static_cast<uint16_t>(~(kModeSetUid | kModeSetGid));
  }
  if (req.atime_how != TimeSet::kOmit) {
    node->atime = req.atime_how == TimeSet::kNow ? now : req.atime;
  }
  if (req.mtime_how != TimeSet::kOmit) {
    node->mtime = req.mtime_how == TimeSet::kNow ? now : req.mtime;
  }
  if (req.length && *req.length != node->length) {
    result.released = TruncateChunks(*node, *req.length);
    node->mtime = now;
  }
  node->ctime = now;
  result.attr = MakeAttr(inode, *node);
  return result;
}

}  // namespace elk::master
