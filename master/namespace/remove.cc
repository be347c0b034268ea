// Removing names: unlink, rmdir, and what happens to a node whose last link goes -
// trash, reserved, or freed.

#include <algorithm>
#include <limits>

#include "master/namespace/namespace.h"

namespace elk::master {

Status Namespace::Unlink(const Cred& cred, InodeId parent, std::string_view name, uint32_t now) {
  auto dir_or = DirNode(parent);
  if (!dir_or.ok()) return dir_or.status();
  Node& dir = **dir_or;
  ELK_RETURN_IF_ERROR(CheckExistingName(name));
  if (name == "." || name == "..") return Status(Code::kIsDir);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayExec));
  InodeId child = DirOf(parent).Find(name);
  if (child == 0) return Status(Code::kNoEnt);
  const Node& node = nodes_.At(child);
  if (node.is_dir()) return Status(Code::kIsDir);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayWrite));
  if (!StickyAllows(cred, dir, node)) return Status(Code::kPerm, "sticky directory");
  DropEntry(parent, dir, name, child, now);
  return Status::Ok();
}

Status Namespace::Rmdir(const Cred& cred, InodeId parent, std::string_view name, uint32_t now) {
  auto dir_or = DirNode(parent);
  if (!dir_or.ok()) return dir_or.status();
  Node& dir = **dir_or;
  ELK_RETURN_IF_ERROR(CheckExistingName(name));
  if (name == ".") return Status(Code::kInval);
  if (name == "..") return Status(Code::kNotEmpty);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayExec));
  InodeId child = DirOf(parent).Find(name);
  if (child == 0) return Status(Code::kNoEnt);
  const Node& node = nodes_.At(child);
  if (!node.is_dir()) return Status(Code::kNotDir);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayWrite));
  if (!StickyAllows(cred, dir, node)) return Status(Code::kPerm, "sticky directory");
  if (!DirOf(child).empty()) return Status(Code::kNotEmpty);
  DropEntry(parent, dir, name, child, now);
  return Status::Ok();
}

void Namespace::DropEntry(InodeId parent, Node& dir, std::string_view name, InodeId child,
                          uint32_t now) {
  // The path is built before the entry goes: name may point into the directory.
  Node& node = nodes_.At(child);
  std::string path;
  if (!node.is_dir() && node.nlink == 1) path = PathOf(parent) + "/" + std::string(name);
  DirOf(parent).Remove(name);
  dir.mtime = FileTimeOf(now);
  dir.ctime = now;
  if (node.is_dir()) {
    --dir.nlink;
    FreeNode(child, nullptr, now);
    return;
  }
  RemoveFileParent(child, parent);
  --node.nlink;
  node.ctime = now;
  if (node.nlink == 0) LastLinkGone(child, node, std::move(path), now);
}

void Namespace::LastLinkGone(InodeId inode, Node& node, std::string path, uint32_t now) {
  if (node.is_file() && node.trashtime > 0) {
    uint64_t expires = uint64_t{now} + node.trashtime;
    auto capped =
        static_cast<uint32_t>(std::min<uint64_t>(expires, std::numeric_limits<uint32_t>::max()));
    CountOut(node);
    node.flags |= kFlagTrash;
    CountIn(node);
    trash_[inode] = TrashInfo{std::move(path), capped};
    trash_by_expiry_.emplace(capped, inode);
  } else if (IsOpen(inode)) {
    CountOut(node);
    node.flags |= kFlagReserved;
    CountIn(node);
    reserved_[inode] = std::move(path);
  } else {
    FreeNode(inode, nullptr, now);
  }
}

void Namespace::FreeNode(InodeId inode, std::vector<ChunkId>* gone, uint32_t now) {
  Node& node = nodes_.At(inode);
  CountOut(node);
  node.chunks.ForEach([&](uint32_t, ChunkId c) {
    if (refs_.Unref(c, node.goal) == 0 && gone != nullptr) gone->push_back(c);
  });
  if (node.is_dir()) dirs_.erase(inode);
  if (node.type == NodeType::kSymlink) symlinks_.erase(inode);
  if (node.type == NodeType::kBlockDev || node.type == NodeType::kCharDev) rdevs_.erase(inode);
  if (node.flags & kFlagHasXattr) xattrs_.erase(inode);
  extra_parents_.erase(inode);
  if (node.flags & kFlagTrash) {
    auto it = trash_.find(inode);
    trash_by_expiry_.erase({it->second.expires, inode});
    trash_.erase(it);
  }
  if (node.flags & kFlagReserved) reserved_.erase(inode);
  // A node freed while a session holds it open (a directory, a device, a symlink: only
  // files wait in reserved) must leave no open count behind, or the next image would
  // name a node that no longer exists and the master would refuse to load it.
  opens_.erase(opens_.lower_bound({inode, 0}), opens_.upper_bound({inode, UINT32_MAX}));
  nodes_.Free(inode, now);
}

}  // namespace elk::master
