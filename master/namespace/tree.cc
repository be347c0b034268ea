// The tree itself: the root, looking up, listing, and adding nodes and links.

#include <algorithm>

#include "master/namespace/namespace.h"

namespace elk::master {

Namespace::Namespace(ChunkRefCounter& refs, uint32_t now) : refs_(refs) {
  InodeId id = nodes_.Allocate(now);
  Node* root = &nodes_.At(id);
  root->type = NodeType::kDirectory;
  root->mode = 0755;
  root->atime = root->mtime = FileTimeOf(now);
  root->ctime = now;
  root->nlink = 2;
  root->parent = id;
  root->goal = kDefaultGoal;
  root->trashtime = kDefaultTrashTime;
  dirs_.emplace(id, Directory{});
  CountIn(*root);
}

Attr Namespace::MakeAttr(InodeId id, const Node& node) const {
  Attr a;
  a.inode = id;
  a.type = node.type;
  a.mode = node.mode;
  a.uid = node.uid;
  a.gid = node.gid;
  a.atime = node.atime;
  a.mtime = node.mtime;
  a.ctime = FileTimeOf(node.ctime);
  a.nlink = node.nlink;
  a.length = node.length;
  if (node.type == NodeType::kBlockDev || node.type == NodeType::kCharDev) {
    auto it = rdevs_.find(id);
    a.rdev = it == rdevs_.end() ? 0 : it->second;
  }
  a.goal = node.goal;
  a.trashtime = node.trashtime;
  return a;
}

Result<Node*> Namespace::DirNode(InodeId inode) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_dir()) return Status(Code::kNotDir);
  return node;
}

Result<const Node*> Namespace::DirNode(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_dir()) return Status(Code::kNotDir);
  return node;
}

Result<Attr> Namespace::Lookup(const Cred& cred, InodeId parent, std::string_view name) const {
  auto dir = DirNode(parent);
  if (!dir.ok()) return dir.status();
  ELK_RETURN_IF_ERROR(CheckAccess(cred, **dir, kMayExec));
  if (name == ".") return MakeAttr(parent, **dir);
  if (name == "..") return MakeAttr((*dir)->parent, nodes_.At((*dir)->parent));
  ELK_RETURN_IF_ERROR(CheckExistingName(name));
  InodeId child = DirOf(parent).Find(name);
  if (child == 0) return Status(Code::kNoEnt);
  return MakeAttr(child, nodes_.At(child));
}

Result<Attr> Namespace::GetAttr(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  return MakeAttr(inode, *node);
}

Result<std::string> Namespace::Readlink(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (node->type != NodeType::kSymlink) return Status(Code::kInval, "not a symlink");
  return symlinks_.at(inode);
}

// Cookies: 0 is ".", 1 is "..", and 2 + seq is the entry with that sequence number.
Result<std::vector<DirEntry>> Namespace::Readdir(const Cred& cred, InodeId dir, uint64_t cookie,
                                                 size_t max) const {
  auto node = DirNode(dir);
  if (!node.ok()) return node.status();
  ELK_RETURN_IF_ERROR(CheckAccess(cred, **node, kMayRead));
  std::vector<DirEntry> out;
  if (cookie == 0 && out.size() < max) out.push_back({".", dir, NodeType::kDirectory, 1});
  if (cookie <= 1 && out.size() < max) {
    out.push_back({"..", (*node)->parent, NodeType::kDirectory, 2});
  }
  if (out.size() >= max) return out;
  uint64_t from = cookie < 2 ? 0 : cookie - 2;
  DirOf(dir).ForEachFrom(from, [&](std::string_view name, InodeId child, uint64_t seq) {
    out.push_back({std::string(name), child, nodes_.At(child).type, seq + 3});
    return out.size() < max;
  });
  return out;
}

void Namespace::AddEntry(InodeId parent, Node& dir, std::string_view name, InodeId child,
                         uint32_t now) {
  DirOf(parent).Add(name, child);
  if (!nodes_.At(child).is_dir()) AddFileParent(child, parent);
  dir.mtime = FileTimeOf(now);
  dir.ctime = now;
}

Result<InodeId> Namespace::NewNode(const Cred& cred, InodeId parent, std::string_view name,
                                   NodeType type, uint16_t mode, uint32_t now) {
  auto dir_or = DirNode(parent);
  if (!dir_or.ok()) return dir_or.status();
  Node& dir = **dir_or;
  ELK_RETURN_IF_ERROR(CheckNewName(name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayExec));
  if (DirOf(parent).Find(name) != 0) return Status(Code::kExist);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayWrite));

  InodeId id = nodes_.Allocate(now);
  Node* node = &nodes_.At(id);
  node->type = type;
  node->mode = mode & kModeMask;
  node->uid = cred.uid;
  node->gid = cred.gid;
  if (dir.mode & kModeSetGid) {
    node->gid = dir.gid;
    if (type == NodeType::kDirectory) node->mode |= kModeSetGid;
  }
  if (type != NodeType::kDirectory && (node->mode & kModeSetGid) && !cred.IsRoot() &&
      !cred.InGroup(node->gid)) {
    node->mode &= static_cast<uint16_t>(~kModeSetGid);
  }
  node->atime = node->mtime = FileTimeOf(now);
  node->ctime = now;
  node->goal = dir.goal;
  node->trashtime = dir.trashtime;
  node->nlink = 1;
  if (type == NodeType::kDirectory) {
    node->nlink = 2;
    node->parent = parent;
    dirs_[id].set_name(name);
    ++dir.nlink;
  }
  CountIn(*node);
  AddEntry(parent, dir, name, id, now);
  return id;
}

Result<Attr> Namespace::Create(const Cred& cred, InodeId parent, std::string_view name,
                               NodeType type, uint16_t mode, uint16_t umask, uint32_t rdev,
                               uint32_t now) {
  if (type == NodeType::kNone || type == NodeType::kDirectory || type == NodeType::kSymlink) {
    return Status(Code::kInval, "Create makes files, fifos, sockets and devices");
  }
  auto id = NewNode(cred, parent, name, type, mode & ~umask, now);
  if (!id.ok()) return id.status();
  if (type == NodeType::kBlockDev || type == NodeType::kCharDev) rdevs_[*id] = rdev;
  return MakeAttr(*id, nodes_.At(*id));
}

Result<Attr> Namespace::Mkdir(const Cred& cred, InodeId parent, std::string_view name,
                              uint16_t mode, uint16_t umask, uint32_t now) {
  auto id = NewNode(cred, parent, name, NodeType::kDirectory, mode & ~umask, now);
  if (!id.ok()) return id.status();
  return MakeAttr(*id, nodes_.At(*id));
}

Result<Attr> Namespace::Symlink(const Cred& cred, InodeId parent, std::string_view name,
                                std::string_view target, uint32_t now) {
  if (target.empty()) return Status(Code::kNoEnt, "empty symlink target");
  if (target.size() > 4096) return Status(Code::kNameTooLong);
  auto id = NewNode(cred, parent, name, NodeType::kSymlink, 0777, now);
  if (!id.ok()) return id.status();
  symlinks_.emplace(*id, target);
  Node& node = nodes_.At(*id);
  CountOut(node);
  node.length = target.size();
  CountIn(node);
  return MakeAttr(*id, node);
}

Result<Attr> Namespace::Link(const Cred& cred, InodeId inode, InodeId parent, std::string_view name,
                             uint32_t now) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr || node->detached()) return Status(Code::kNoEnt);
  if (node->is_dir()) return Status(Code::kPerm, "no hard links to directories");
  auto dir_or = DirNode(parent);
  if (!dir_or.ok()) return dir_or.status();
  Node& dir = **dir_or;
  ELK_RETURN_IF_ERROR(CheckNewName(name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayExec));
  if (DirOf(parent).Find(name) != 0) return Status(Code::kExist);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, dir, kMayWrite));
  ++node->nlink;
  node->ctime = now;
  AddEntry(parent, dir, name, inode, now);
  return MakeAttr(inode, *node);
}

std::string Namespace::PathOf(InodeId dir) const {
  std::vector<const std::string*> parts;
  for (InodeId d = dir; d != kRootInode;) {
    parts.push_back(&DirOf(d).name());
    d = nodes_.At(d).parent;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += '/';
    path += **it;
  }
  return path;
}

bool Namespace::IsAncestorOrSelf(InodeId ancestor, InodeId node) const {
  for (InodeId d = node;; d = nodes_.At(d).parent) {
    if (d == ancestor) return true;
    if (d == kRootInode) return false;
  }
}

}  // namespace elk::master
