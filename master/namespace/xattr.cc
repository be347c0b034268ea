// Extended attributes, kept in a side table only for the nodes that have any.
// Reading needs read permission and writing needs write permission, as for user.*
// attributes on Linux. Names over 255 bytes and values over 64 KiB are kRange; a node's
// names and values together are bounded (types.h), past which setxattr is kNoSpace.

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {
// Whether setting name=value keeps the node's attributes within their bounds.
template <typename Map>
Status CheckXattrRoom(const Map* attrs, std::string_view name, std::string_view value) {
  size_t names = name.size() + 1;
  size_t values = value.size();
  if (attrs != nullptr) {
    for (const auto& [n, v] : *attrs) {
      if (n == name) continue;  // replaced
      names += n.size() + 1;
      values += v.size();
    }
  }
  if (names > kMaxXattrNamesBytes || values > kMaxXattrValuesBytes) {
    return Status(Code::kNoSpace, "no room for another extended attribute on this node");
  }
  return Status::Ok();
}

Status CheckXattrName(std::string_view name) {
  if (name.empty()) return Status(Code::kInval, "empty xattr name");
  if (name.size() > kMaxXattrNameLength) return Status(Code::kRange, "xattr name too long");
  return Status::Ok();
}
}  // namespace

Result<std::string> Namespace::GetXattr(const Cred& cred, InodeId inode,
                                        std::string_view name) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  ELK_RETURN_IF_ERROR(CheckXattrName(name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *node, kMayRead));
  if ((node->flags & kFlagHasXattr) == 0) return Status(Code::kNoAttr);
  const XattrMap& attrs = xattrs_.at(inode);
  auto it = attrs.find(name);
  if (it == attrs.end()) return Status(Code::kNoAttr);
  return it->second;
}

Status Namespace::SetXattr(const Cred& cred, InodeId inode, std::string_view name,
                           std::string_view value, XattrFlags flags, uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  ELK_RETURN_IF_ERROR(CheckXattrName(name));
  if (value.size() > kMaxXattrValueLength) return Status(Code::kRange, "xattr value too long");
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *node, kMayWrite));
  XattrMap* attrs = nullptr;
  if (node->flags & kFlagHasXattr) attrs = &xattrs_.at(inode);
  bool exists = attrs != nullptr && attrs->find(name) != attrs->end();
  if (flags == XattrFlags::kCreate && exists) return Status(Code::kExist);
  if (flags == XattrFlags::kReplace && !exists) return Status(Code::kNoAttr);
  ELK_RETURN_IF_ERROR(CheckXattrRoom(attrs, name, value));
  if (attrs == nullptr) {
    attrs = &xattrs_[inode];
    node->flags |= kFlagHasXattr;
  }
  (*attrs)[std::string(name)] = std::string(value);
  node->ctime = now;
  return Status::Ok();
}

Result<std::vector<std::string>> Namespace::ListXattr(const Cred& cred, InodeId inode) const {
  (void)cred;  // listing needs no permission beyond reaching the node
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  std::vector<std::string> names;
  if (node->flags & kFlagHasXattr) {
    for (const auto& [name, value] : xattrs_.at(inode))
      names.push_back(name);
  }
  return names;
}

Status Namespace::RemoveXattr(const Cred& cred, InodeId inode, std::string_view name,
                              uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  ELK_RETURN_IF_ERROR(CheckXattrName(name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *node, kMayWrite));
  if ((node->flags & kFlagHasXattr) == 0) return Status(Code::kNoAttr);
  XattrMap& attrs = xattrs_.at(inode);
  auto it = attrs.find(name);
  if (it == attrs.end()) return Status(Code::kNoAttr);
  attrs.erase(it);
  if (attrs.empty()) {
    xattrs_.erase(inode);
    node->flags &= static_cast<uint8_t>(~kFlagHasXattr);
  }
  node->ctime = now;
  return Status::Ok();
}

}  // namespace elk::master
