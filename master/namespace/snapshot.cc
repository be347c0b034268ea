// Snapshots, append-chunks and per-chunk edits. A snapshot copies nodes, never data:
// copied files reference the same chunk ids, and the chunk registry splits a shared
// chunk on its first write (copy-on-write) through SetChunk.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "master/namespace/namespace.h"
#include "master/namespace/walk.h"

namespace elk::master {

namespace {
// 64-bit: an image written before lengths were bounded may hold any length.
uint64_t ChunksFor(uint64_t length) {
  return length / kChunkSize + (length % kChunkSize != 0);
}
}  // namespace

Result<Attr> Namespace::MakeSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                     std::string_view dst_name, bool overwrite, uint32_t now) {
  ELK_RETURN_IF_ERROR(CheckSnapshotTop(cred, src, dst_parent, dst_name));
  auto copy = CopyTree(cred, src, dst_parent, dst_name, overwrite, now);
  if (!copy.ok()) return copy.status();
  return MakeAttr(*copy, nodes_.At(*copy));
}

Status Namespace::CheckSnapshotReadable(const Cred& cred, InodeId src) const {
  if (cred.IsRoot()) return Status::Ok();
  if (nodes_.Get(src) == nullptr) return Status(Code::kNoEnt);
  bool readable = true;
  Walk(src, [&](InodeId, const Node& n) { readable = readable && SnapshotMayRead(cred, n); });
  return readable ? Status::Ok()
                  : Status(Code::kAccess, "the tree holds nodes the snapshotter may not read");
}

Result<InodeId> Namespace::CopyOne(const Cred& cred, InodeId src, InodeId dst_parent,
                                   std::string_view dst_name, bool overwrite, uint32_t now) {
  const Node& snode = nodes_.At(src);
  const InodeId existing = DirOf(dst_parent).Find(dst_name);
  if (existing == 0) return CopyNode(cred, src, dst_parent, dst_name, now);
  if (!overwrite) return Status(Code::kExist);
  if (existing == src) return Status(Code::kInval, "snapshot onto itself");
  const Node& enode = nodes_.At(existing);
  if (snode.is_dir() != enode.is_dir())
    return Status(snode.is_dir() ? Code::kNotDir : Code::kIsDir);
  if (snode.is_dir()) return existing;  // merged into: what is in it stays
  DropEntry(dst_parent, nodes_.At(dst_parent), dst_name, existing, now);
  return CopyNode(cred, src, dst_parent, dst_name, now);
}

// Depth first, children in directory order (so inode numbers are given out as they always
// were, which replay of older changelogs relies on), with an explicit stack: a tree of any
// depth copies without recursion. Only the top's failure is the snapshot's: below it a
// failure can only come from an existing node being merged into, which is skipped.
Result<InodeId> Namespace::CopyTree(const Cred& cred, InodeId src, InodeId dst_parent,
                                    std::string_view dst_name, bool overwrite, uint32_t now) {
  struct Step {
    InodeId src;
    InodeId dst_parent;
    std::string name;
  };
  auto top = CopyOne(cred, src, dst_parent, dst_name, overwrite, now);
  if (!top.ok()) return top;
  std::vector<Step> stack;
  auto push_children = [&](InodeId from, InodeId to) {
    if (!nodes_.At(from).is_dir()) return;
    const size_t mark = stack.size();
    // Gathered first: copying adds entries elsewhere, never here.
    DirOf(from).ForEach([&](std::string_view name, InodeId child) {
      stack.push_back(Step{child, to, std::string(name)});
    });
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
  };
  push_children(src, *top);
  while (!stack.empty()) {
    Step step = std::move(stack.back());
    stack.pop_back();
    auto copy = CopyOne(cred, step.src, step.dst_parent, step.name, overwrite, now);
    if (copy.ok()) push_children(step.src, *copy);
  }
  return top;
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
  s.chunks.ForEach([&](uint32_t i, ChunkId c) {
    n->chunks.Set(i, c);
    refs_.Ref(c, n->goal);
  });
  n->chunks.Resize(s.chunks.size());
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
  CountIn(*n);
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
    std::vector<ChunkList::Entry> chunks;
    s.chunks.ForEach([&chunks](uint32_t i, ChunkId c) { chunks.push_back({i, c}); });
    const uint64_t count = std::max<uint64_t>(s.chunks.size(), ChunksFor(s.length));
    const uint64_t src_length = s.length;
    // Ids past the length (written but not yet counted in it) must not be dropped.
    const uint64_t base = std::max<uint64_t>(ChunksFor(dnode->length), dnode->chunks.size());
    if (base + count > kMaxFileChunks || base * kChunkSize + src_length > kMaxFileLength) {
      return Status(Code::kIndexTooBig, "the result would pass the maximum file length");
    }
    dnode->chunks.Resize(static_cast<uint32_t>(base));
    for (const ChunkList::Entry& e : chunks) {
      dnode->chunks.Set(static_cast<uint32_t>(base + e.index), e.id);
      refs_.Ref(e.id, dnode->goal);
    }
    dnode->chunks.Resize(static_cast<uint32_t>(base + count));
    if (src_length > 0 || count > 0) {
      CountOut(*dnode);
      dnode->length = base * kChunkSize + src_length;
      CountIn(*dnode);
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
  if (index > kMaxChunkIndex) return Status(Code::kIndexTooBig);
  return node->chunks[index];
}

Status Namespace::SetChunk(InodeId inode, uint32_t index, ChunkId chunk) {
  Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_file()) return Status(Code::kPerm, "only files have chunks");
  if (index > kMaxChunkIndex) return Status(Code::kIndexTooBig);
  ChunkId old = node->chunks[index];
  if (old != 0 && old != chunk) refs_.Unref(old, node->goal);
  node->chunks.Set(index, chunk);
  return Status::Ok();
}

Result<std::vector<ChunkId>> Namespace::Chunks(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  std::vector<ChunkId> out(node->chunks.size(), 0);
  node->chunks.ForEach([&out](uint32_t i, ChunkId c) { out[i] = c; });
  return out;
}

Result<uint32_t> Namespace::ChunkSlots(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_file()) return Status(Code::kPerm, "only files have chunks");
  return node->chunks.size();
}

Result<std::vector<ChunkList::Entry>> Namespace::ChunkEntries(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  std::vector<ChunkList::Entry> out;
  node->chunks.ForEach([&out](uint32_t i, ChunkId c) { out.push_back({i, c}); });
  return out;
}

Result<std::vector<ChunkList::Entry>> Namespace::ChunkEntriesFrom(InodeId inode, uint32_t from,
                                                                  size_t max) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  if (!node->is_file()) return Status(Code::kPerm, "only files have chunks");
  std::vector<ChunkList::Entry> out;
  if (max == 0) return out;
  node->chunks.ForEachFrom(from, [&out, max](uint32_t i, ChunkId c) {
    out.push_back({i, c});
    return out.size() < max;
  });
  return out;
}

}  // namespace elk::master
