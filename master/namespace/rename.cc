// rename(2) and renameat2(2): moves, replacement of an existing target, NOREPLACE and
// EXCHANGE, with the checks that keep the tree a tree.

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {
bool IsDotName(std::string_view name) {
  return name == "." || name == "..";
}
}  // namespace

Status Namespace::Rename(const Cred& cred, InodeId src_parent, std::string_view src_name,
                         InodeId dst_parent, std::string_view dst_name, RenameFlags flags,
                         uint32_t now) {
  auto sdir_or = DirNode(src_parent);
  if (!sdir_or.ok()) return sdir_or.status();
  auto ddir_or = DirNode(dst_parent);
  if (!ddir_or.ok()) return ddir_or.status();
  Node& sdir = **sdir_or;
  Node& ddir = **ddir_or;
  ELK_RETURN_IF_ERROR(CheckExistingName(src_name));
  ELK_RETURN_IF_ERROR(CheckExistingName(dst_name));
  if (IsDotName(src_name) || IsDotName(dst_name)) return Status(Code::kInval);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, sdir, kMayExec));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, ddir, kMayExec));
  InodeId src = DirOf(src_parent).Find(src_name);
  if (src == 0) return Status(Code::kNoEnt);
  InodeId dst = DirOf(dst_parent).Find(dst_name);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, sdir, kMayWrite));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, ddir, kMayWrite));
  Node& snode = nodes_.At(src);
  if (!StickyAllows(cred, sdir, snode)) return Status(Code::kPerm, "sticky directory");
  if (flags == RenameFlags::kExchange && dst == 0) return Status(Code::kNoEnt);
  if (flags == RenameFlags::kNoReplace && dst != 0) return Status(Code::kExist);
  if (dst == src) return Status::Ok();  // two names of one inode: POSIX does nothing
  if (snode.is_dir() && IsAncestorOrSelf(src, dst_parent)) {
    return Status(Code::kInval, "a directory cannot move into itself");
  }
  // A directory that changes parent rewrites its "..", which needs write on it.
  if (snode.is_dir() && src_parent != dst_parent) {
    ELK_RETURN_IF_ERROR(CheckAccess(cred, snode, kMayWrite));
  }

  if (dst != 0) {
    Node& dnode = nodes_.At(dst);
    if (!StickyAllows(cred, ddir, dnode)) return Status(Code::kPerm, "sticky directory");
    if (flags == RenameFlags::kExchange) {
      if (dnode.is_dir() && IsAncestorOrSelf(dst, src_parent)) return Status(Code::kInval);
      if (dnode.is_dir() && src_parent != dst_parent) {
        ELK_RETURN_IF_ERROR(CheckAccess(cred, dnode, kMayWrite));
      }
      DirOf(src_parent).Retarget(src_name, dst);
      DirOf(dst_parent).Retarget(dst_name, src);
      if (snode.is_dir()) {
        snode.parent = dst_parent;
        DirOf(src).set_name(dst_name);
        --sdir.nlink;
        ++ddir.nlink;
      }
      if (dnode.is_dir()) {
        dnode.parent = src_parent;
        DirOf(dst).set_name(src_name);
        --ddir.nlink;
        ++sdir.nlink;
      }
      if (src_parent != dst_parent) {
        if (!snode.is_dir()) MoveFileParent(src, src_parent, dst_parent);
        if (!dnode.is_dir()) MoveFileParent(dst, dst_parent, src_parent);
      }
      snode.ctime = dnode.ctime = now;
      sdir.mtime = ddir.mtime = FileTimeOf(now);
      sdir.ctime = ddir.ctime = now;
      return Status::Ok();
    }
    if (snode.is_dir() && !dnode.is_dir()) return Status(Code::kNotDir);
    if (!snode.is_dir() && dnode.is_dir()) return Status(Code::kIsDir);
    if (dnode.is_dir() && !DirOf(dst).empty()) return Status(Code::kNotEmpty);
    DropEntry(dst_parent, ddir, dst_name, dst, now);
  }

  DirOf(src_parent).Remove(src_name);
  DirOf(dst_parent).Add(dst_name, src);
  if (snode.is_dir()) {
    snode.parent = dst_parent;
    DirOf(src).set_name(dst_name);
    --sdir.nlink;
    ++ddir.nlink;
  } else if (src_parent != dst_parent) {
    MoveFileParent(src, src_parent, dst_parent);
  }
  snode.ctime = now;
  sdir.mtime = ddir.mtime = FileTimeOf(now);
  sdir.ctime = ddir.ctime = now;
  return Status::Ok();
}

}  // namespace elk::master
