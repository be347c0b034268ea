// Snapshots, append-chunks and per-chunk edits. A snapshot copies nodes, never data:
// copied files reference the same chunk ids, and the chunk registry splits a shared
// chunk on its first write (copy-on-write) through SetChunk.

#include <algorithm>
#include <vector>

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {
constexpr uint32_t kMaxChunkIndex = (1u << 31) - 1;

uint32_t ChunksFor(uint64_t length) {
  return static_cast<uint32_t>((length + kChunkSize - 1) / kChunkSize);
}
}  // namespace

Result<Attr> Namespace::MakeSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                     std::string_view dst_name, bool overwrite, uint32_t now) {
  const Node* snode = nodes_.Get(src);
  if (snode == nullptr || snode->detached()) return Status(Code::kNoEnt);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *snode, kMayRead));
  auto ddir = DirNode(dst_parent);
  if (!ddir.ok()) return ddir.status();
  ELK_RETURN_IF_ERROR(CheckNewName(dst_name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, **ddir, kMayWrite | kMayExec));
  if (snode->is_dir() && IsAncestorOrSelf(src, dst_parent)) {
    return Status(Code::kInval, "cannot snapshot a directory into itself");
  }
  auto copy = CopyTree(cred, src, dst_parent, dst_name, overwrite, now);
  if (!copy.ok()) return copy.status();
  return MakeAttr(*copy, nodes_.At(*copy));
}

Result<InodeId> Namespace::CopyTree(const Cred& cred, InodeId src, InodeId dst_parent,
                                    std::string_view dst_name, bool overwrite, uint32_t now) {
  const Node& snode = nodes_.At(src);
  InodeId existing = DirOf(dst_parent).Find(dst_name);
  InodeId copy = existing;
  if (existing != 0) {
    if (!overwrite) return Status(Code::kExist);
    if (existing == src) return Status(Code::kInval, "snapshot onto itself");
    const Node& enode = nodes_.At(existing);
    if (snode.is_dir() != enode.is_dir()) {
      return Status(snode.is_dir() ? Code::kNotDir : Code::kIsDir);
    }
    if (!snode.is_dir()) {
      DropEntry(dst_parent, nodes_.At(dst_parent), dst_name, existing, now);
      copy = CopyNode(cred, src, dst_parent, dst_name, now);
    }
  } else {
    copy = CopyNode(cred, src, dst_parent, dst_name, now);
  }
  if (!snode.is_dir()) return copy;
  // Children are gathered first: copying adds entries elsewhere, never here.
  std::vector<std::pair<std::string, InodeId>> children;
  DirOf(src).ForEach(
      [&children](std::string_view name, InodeId child) { children.emplace_back(name, child); });
  for (const auto& [name, child] : children) {
    auto done = CopyTree(cred, child, copy, name, overwrite, now);
    if (!done.ok() && existing == 0) return done.status();
  }
  return copy;
}

InodeId Namespace::CopyNode(const Cred& cred, InodeId src, InodeId dst_parent,
                            std::string_view name, uint32_t now) {
  const Node& s = nodes_.At(src);
  InodeId id = nodes_.Allocate(now);
  Node* n = &nodes_.At(id);
  n->type = s.type;
  n->mode = s.mode;
  // Root keeps the owners; anyone else gets a copy that is theirs, as MooseFS does.
  n->uid = cred.IsRoot() ? s.uid : cred.uid;
  n->gid = cred.IsRoot() ? s.gid : cred.gid;
  n->atime = s.atime;
  n->mtime = s.mtime;
  n->ctime = now;
  n->length = s.length;
  n->goal = s.goal;
  n->trashtime = s.trashtime;
  n->nlink = 1;
  n->chunks.Resize(s.chunks.size());
  for (uint32_t i = 0; i < s.chunks.size(); ++i) {
    ChunkId c = s.chunks[i];
    n->chunks[i] = c;
    if (c != 0) refs_.Ref(c, n->goal);
  }
  if (s.type == NodeType::kSymlink) symlinks_.emplace(id, symlinks_.at(src));
  if (auto it = rdevs_.find(src); it != rdevs_.end()) rdevs_.emplace(id, it->second);
  if (s.flags & kFlagHasXattr) {
    XattrMap copy = xattrs_.at(src);
    xattrs_.emplace(id, std::move(copy));
    n->flags |= kFlagHasXattr;
  }
  Node& dir = nodes_.At(dst_parent);
  if (s.is_dir()) {
    n->nlink = 2;
    n->parent = dst_parent;
    dirs_[id].set_name(name);
    ++dir.nlink;
  }
  AddEntry(dst_parent, dir, name, id, now);
  return id;
}

Status Namespace::AppendChunks(const Cred& cred, InodeId dst, std::span<const InodeId> srcs,
                               uint32_t now) {
  Node* dnode = nodes_.Get(dst);
  if (dnode == nullptr) return Status(Code::kNoEnt);
  if (!dnode->is_file()) return Status(Code::kPerm, "append to a file only");
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *dnode, kMayWrite));
  for (InodeId src : srcs) {
    const Node* s = nodes_.Get(src);
    if (s == nullptr) return Status(Code::kNoEnt);
    if (!s->is_file()) return Status(Code::kPerm, "append from files only");
    ELK_RETURN_IF_ERROR(CheckAccess(cred, *s, kMayRead));
  }
  for (InodeId src : srcs) {
    const Node& s = nodes_.At(src);
    // Copied first: the source may be the destination itself.
    std::vector<ChunkId> chunks(s.chunks.view().begin(), s.chunks.view().end());
    chunks.resize(std::max<size_t>(chunks.size(), ChunksFor(s.length)), 0);
    uint64_t src_length = s.length;
    // Ids past the length (written but not yet counted in it) must not be dropped.
    uint32_t base = std::max(ChunksFor(dnode->length), dnode->chunks.size());
    if (uint64_t{base} + chunks.size() > kMaxChunkIndex) return Status(Code::kIndexTooBig);
    dnode->chunks.Resize(base);
    for (ChunkId c : chunks) {
      dnode->chunks.Append(c);
      if (c != 0) refs_.Ref(c, dnode->goal);
    }
    if (src_length > 0 || !chunks.empty()) {
      dnode->length = uint64_t{base} * kChunkSize + src_length;
    }
  }
  dnode->mtime = FileTimeOf(now);
  dnode->ctime = now;
  return Status::Ok();
}

Result<ChunkId> Namespace::ChunkAt(InodeId inode, uint32_t index) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_file()) return Status(Code::kPerm, "only files have chunks");
  return index < node->chunks.size() ? node->chunks[index] : ChunkId{0};
}

Status Namespace::SetChunk(InodeId inode, uint32_t index, ChunkId chunk) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_file()) return Status(Code::kPerm, "only files have chunks");
  if (index > kMaxChunkIndex) return Status(Code::kIndexTooBig);
  if (index >= node->chunks.size()) node->chunks.Resize(index + 1);
  ChunkId old = node->chunks[index];
  if (old != 0 && old != chunk) refs_.Unref(old, node->goal);
  node->chunks[index] = chunk;
  return Status::Ok();
}

Result<std::vector<ChunkId>> Namespace::Chunks(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  auto view = node->chunks.view();
  return std::vector<ChunkId>(view.begin(), view.end());
}

}  // namespace elk::master
