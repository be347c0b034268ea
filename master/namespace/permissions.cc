// Who may do what: POSIX owner/group/other classes, root's bypass, the sticky bit, and
// the rules for names.

#include <algorithm>

#include "master/namespace/namespace.h"

namespace elk::master {

bool Cred::InGroup(uint32_t g) const {
  return gid == g || std::find(groups.begin(), groups.end(), g) != groups.end();
}

bool Namespace::Permits(const Cred& cred, const Node& node, uint8_t mask) const {
  if (cred.IsRoot()) {
    // Root reads and writes anything, but executes only what someone may execute.
    if ((mask & kMayExec) == 0 || node.is_dir()) return true;
    return (node.mode & 0111) != 0;
  }
  uint32_t bits;
  if (cred.uid == node.uid) {
    bits = (node.mode >> 6) & 7;
  } else if (cred.ignoregid) {
    bits = ((node.mode >> 3) | node.mode) & 7;
  } else if (cred.InGroup(node.gid)) {
    bits = (node.mode >> 3) & 7;
  } else {
    bits = node.mode & 7;
  }
  return (bits & mask) == mask;
}

Status Namespace::CheckAccess(const Cred& cred, const Node& node, uint8_t mask) const {
  if (Permits(cred, node, mask)) return Status::Ok();
  return Status(Code::kAccess);
}

bool Namespace::StickyAllows(const Cred& cred, const Node& dir, const Node& child) const {
  if ((dir.mode & kModeSticky) == 0 || cred.IsRoot()) return true;
  return cred.uid == dir.uid || cred.uid == child.uid;
}

Status Namespace::CheckNewName(std::string_view name) {
  ELK_RETURN_IF_ERROR(CheckExistingName(name));
  if (name == "." || name == "..") return Status(Code::kExist, "'.' and '..' always exist");
  return Status::Ok();
}

Status Namespace::CheckExistingName(std::string_view name) {
  if (name.empty()) return Status(Code::kInval, "empty name");
  if (name.size() > kMaxNameLength) return Status(Code::kNameTooLong);
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return Status(Code::kInval, "name holds '/' or NUL");
  }
  return Status::Ok();
}

Status Namespace::Access(const Cred& cred, InodeId inode, uint8_t mask) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  return CheckAccess(cred, *node, mask);
}

}  // namespace elk::master
