// setattr: chmod, chown, utimens and truncate, each with POSIX's rules on who may (as Linux
// applies them, see docs/permissions.md). Every check runs before anything changes, so a
// refused request changes nothing.

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {

// The bits a write or truncate by someone without CAP_FSETID takes away: setuid, and setgid
// when it grants something (group-exec; without it setgid marks mandatory locking).
uint16_t PrivilegeBits(uint16_t mode) {
  uint16_t bits = mode & kModeSetUid;
  if ((mode & kModeSetGid) != 0 && (mode & 0010) != 0) bits |= kModeSetGid;
  return bits;
}

// The kernel clears setuid/setgid after a write by sending this chmod as the writer.
bool ClearsOnlyPrivileges(const Node& node, uint16_t mode) {
  const uint16_t bits = PrivilegeBits(node.mode);
  return bits != 0 && mode == (node.mode & kModeMask & ~bits);
}

Status CheckChmod(const Cred& cred, const Node& node, uint16_t mode, bool can_write) {
  if (cred.IsRoot() || cred.uid == node.uid) return Status::Ok();
  if (can_write && node.is_file() && ClearsOnlyPrivileges(node, mode)) return Status::Ok();
  return Status(Code::kPerm, "only the owner may chmod");
}

// Only root gives a file away; the owner may name itself and a group it is in. A non-owner
// may not chown at all, not even to the ids the file already has.
Status CheckChown(const Cred& cred, const Node& node, const SetAttrRequest& req) {
  if (cred.IsRoot()) return Status::Ok();
  if (cred.uid != node.uid) return Status(Code::kPerm, "only the owner or root may chown");
  if (req.uid && *req.uid != node.uid) return Status(Code::kPerm, "only root gives files away");
  if (req.gid && *req.gid != node.gid && !cred.InGroup(*req.gid)) {
    return Status(Code::kPerm, "not a member of that group");
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
  CountOut(node);
  node.length = length;
  CountIn(node);
  return released;
}

Status Namespace::CheckSetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  bool can_write = Permits(cred, *node, kMayWrite);
  if (req.mode) ELK_RETURN_IF_ERROR(CheckChmod(cred, *node, *req.mode, can_write));
  if (req.uid || req.gid) ELK_RETURN_IF_ERROR(CheckChown(cred, *node, req));
  ELK_RETURN_IF_ERROR(CheckTimes(cred, *node, req, can_write));
  if (req.length) {
    if (node->is_dir()) return Status(Code::kIsDir);
    if (!node->is_file()) return Status(Code::kInval, "only files have a settable length");
    // A descriptor opened for writing may truncate whatever the mode says now.
    if (!can_write && !req.open_for_write) return Status(Code::kAccess);
  }
  return Status::Ok();
}

Result<SetAttrResult> Namespace::SetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req,
                                         uint32_t now) {
  ELK_RETURN_IF_ERROR(CheckSetAttr(cred, inode, req));
  Node* node = nodes_.Get(inode);

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
    // A changed owner must not keep privileges granted by the old one (root's chown too).
    if (!node->is_dir()) node->mode &= static_cast<uint16_t>(~PrivilegeBits(node->mode));
  }
  if (req.atime_how != TimeSet::kOmit) {
    node->atime = req.atime_how == TimeSet::kNow ? FileTimeOf(now) : req.atime;
  }
  if (req.mtime_how != TimeSet::kOmit) {
    node->mtime = req.mtime_how == TimeSet::kNow ? FileTimeOf(now) : req.mtime;
  }
  if (req.length) {
    // As a write does: a truncate by anyone but root takes the exec privileges away.
    if (!cred.IsRoot()) node->mode &= static_cast<uint16_t>(~PrivilegeBits(node->mode));
    if (*req.length != node->length) {
      result.released = TruncateChunks(*node, *req.length);
      node->mtime = FileTimeOf(now);
    }
  }
  node->ctime = now;
  result.attr = MakeAttr(inode, *node);
  return result;
}

}  // namespace elk::master
