// The namespace in the metadata image: every node with its side data, then trash, reserved
// and open counts. Written in inode order, so equal namespaces serialize to equal bytes.
// Loading checks every field and every cross-reference; bad input is kCorruption, never a
// crash. Layout (all numbers varints, strings length-prefixed; see docs/metadata-image.md):
//
//   node*:  id type mode uid gid atime mtime ctime nlink length goal trashtime parent flags
//           nslots npresent (gap chunk)* | symlink: target | has_rdev [rdev]
//           | xattrs: n (name value)*
//           | dir: name next_seq n (seq name child)*
//   0 (end of nodes), trash: n (inode expires path)*, reserved: n (inode path)*,
//   opens: n (inode session count mode)*, cooling: n (inode freed_at)* (absent in format-1
//   images); an open's mode byte (1 read, 2 write) is there since format 4
//
// atime and mtime are (zigzag seconds, nanoseconds) since format 3, u32 seconds before it;
// ctime is u32 seconds in every format (only the master's clock sets it).
// A file's chunks are its slot count and the chunks it has, each after the number of holes
// before it (format 3); format-1 and -2 images list every slot, holes as 0.

#include <fmt/format.h>

#include "common/log/progress.h"
#include "master/namespace/byte_codec.h"
#include "master/namespace/namespace.h"

namespace elk::master {

namespace {

constexpr size_t kMaxPath = 1 << 20;
constexpr InodeId kMaxInode = 0x7fffffff;

// The first format whose atime and mtime hold 64-bit seconds and nanoseconds.
constexpr uint64_t kFormatNsTimes = 3;
// The first format that keeps each open's mode (read, write).
constexpr uint64_t kFormatOpenModes = 4;

// Seconds zigzagged (small negative times stay short), then the nanoseconds: a time set
// by the master's clock costs one byte more than the u32 seconds of format 2.
void PutTime(ByteWriter& w, FileTime t) {
  SplitTime s = SplitFileTime(t);
  w.Var((static_cast<uint64_t>(s.sec) << 1) ^ static_cast<uint64_t>(s.sec >> 63));
  w.Var(static_cast<uint64_t>(s.nsec));
}

bool GetTime(ByteReader& r, uint64_t format, FileTime* t) {
  if (format < kFormatNsTimes) {
    uint32_t sec = 0;
    if (!r.Num(&sec)) return false;
    *t = FileTimeOf(sec);
    return true;
  }
  uint64_t zigzag = 0;
  uint32_t nsec = 0;
  if (!r.Var(&zigzag) || !r.Num(&nsec, kNsPerSecond - 1)) return false;
  const auto sec = static_cast<int64_t>((zigzag >> 1) ^ (uint64_t{0} - (zigzag & 1)));
  *t = FileTimeOf(sec, nsec);
  const SplitTime back = SplitFileTime(*t);
  return back.sec == sec && back.nsec == nsec;  // else outside the int64 span
}

void PutNodeFields(ByteWriter& w, InodeId id, const Node& n) {
  w.Var(id);
  w.Byte(static_cast<uint8_t>(n.type));
  w.Var(n.mode);
  w.Var(n.uid);
  w.Var(n.gid);
  PutTime(w, n.atime);
  PutTime(w, n.mtime);
  w.Var(n.ctime);
  w.Var(n.nlink);
  w.Var(n.length);
  w.Byte(n.goal);
  w.Var(n.trashtime);
  w.Var(n.parent);
  w.Byte(n.flags);
  w.Var(n.chunks.size());
  w.Var(n.chunks.CountPresent());
  uint64_t next = 0;  // the index after the previous chunk
  n.chunks.ForEach([&](uint32_t i, ChunkId c) {
    w.Var(i - next);
    w.Var(c);
    next = uint64_t{i} + 1;
  });
}

// Every slot, holes as 0 (images of format 1 and 2).
bool GetDenseChunks(ByteReader& r, uint64_t slots, ChunkList* chunks) {
  for (uint64_t i = 0; i < slots; ++i) {
    ChunkId c = 0;
    if (!r.Num(&c)) return false;
    if (c != 0) chunks->Set(static_cast<uint32_t>(i), c);
  }
  return true;
}

bool GetSparseChunks(ByteReader& r, uint64_t slots, ChunkList* chunks) {
  uint64_t present = 0;
  if (!r.Count(&present, 2) || present > slots) return false;
  uint64_t next = 0;
  for (uint64_t k = 0; k < present; ++k) {
    uint64_t gap = 0;
    ChunkId c = 0;
    if (!r.Var(&gap) || gap >= slots - next || !r.Num(&c) || c == 0) return false;
    chunks->Set(static_cast<uint32_t>(next + gap), c);
    next += gap + 1;
  }
  return true;
}

// The loader takes every list the master can make: up to kMaxFileChunks slots, any holes.
bool GetChunks(ByteReader& r, bool sparse, Node* n) {
  uint64_t slots = 0;
  if (!r.Var(&slots) || slots > kMaxFileChunks) return false;
  if (slots > 0 && !n->is_file()) return false;
  if (!(sparse ? GetSparseChunks(r, slots, &n->chunks) : GetDenseChunks(r, slots, &n->chunks))) {
    return false;
  }
  n->chunks.Resize(static_cast<uint32_t>(slots));
  return true;
}

bool GetNodeFields(ByteReader& r, uint64_t format, Node* n) {
  uint8_t type = 0;
  if (!r.Byte(&type) || type < 1 || type > 7) return false;
  n->type = static_cast<NodeType>(type);
  bool ok = r.Num(&n->mode, kModeMask) && r.Num(&n->uid) && r.Num(&n->gid) &&
            GetTime(r, format, &n->atime) && GetTime(r, format, &n->mtime) && r.Num(&n->ctime) &&
            r.Num(&n->nlink) && r.Num(&n->length) && r.Byte(&n->goal) && r.Num(&n->trashtime) &&
            r.Num(&n->parent) && r.Byte(&n->flags);
  if (!ok || n->goal < kMinGoal || n->goal > kMaxGoal || n->flags > 7) return false;
  return GetChunks(r, /*sparse=*/format >= kFormatNsTimes, n);
}

Status Bad(std::string_view what) {
  return Status(Code::kCorruption, fmt::format("namespace section: {}", what));
}

}  // namespace

std::string Namespace::SerializeNodes() const {
  ByteWriter w;
  log::Progress progress("saving the metadata image", NodeCount(), "nodes", 1'000'000);
  uint64_t done = 0;
  nodes_.ForEach([&](InodeId id, const Node& n) {
    progress.Update(++done);
    PutNodeFields(w, id, n);
    if (n.type == NodeType::kSymlink) w.Str(symlinks_.at(id));
    auto rdev = rdevs_.find(id);
    w.Byte(rdev != rdevs_.end() ? 1 : 0);
    if (rdev != rdevs_.end()) w.Var(rdev->second);
    auto xa = xattrs_.find(id);
    w.Var(xa == xattrs_.end() ? 0 : xa->second.size());
    if (xa != xattrs_.end()) {
      for (const auto& [name, value] : xa->second) {
        w.Str(name);
        w.Str(value);
      }
    }
    if (!n.is_dir()) return;
    const Directory& dir = DirOf(id);
    w.Str(dir.name());
    w.Var(dir.next_seq());
    w.Var(dir.size());
    dir.ForEachFrom(0, [&](std::string_view name, InodeId child, uint64_t seq) {
      w.Var(seq);
      w.Str(name);
      w.Var(child);
      return true;
    });
    progress.Done();
  });
  w.Var(0);
  w.Var(trash_.size());
  for (const auto& [inode, info] : trash_) {
    w.Var(inode);
    w.Var(info.expires);
    w.Str(info.path);
  }
  w.Var(reserved_.size());
  for (const auto& [inode, path] : reserved_) {
    w.Var(inode);
    w.Str(path);
  }
  w.Var(opens_.size());
  for (const auto& [key, open] : opens_) {
    w.Var(key.first);
    w.Var(key.second);
    w.Var(open.count);
    w.Byte(open.mode);
  }
  w.Var(nodes_.cooling().size());
  for (const auto& [inode, freed_at] : nodes_.cooling()) {
    w.Var(inode);
    w.Var(freed_at);
  }
  return w.Take();
}

namespace {

// A directory's part of a node record.
bool GetDirectory(ByteReader& r, Directory* dir) {
  std::string name;
  uint64_t next = 0;
  uint64_t count = 0;
  if (!r.Str(&name, kMaxNameLength) || !r.Var(&next) || !r.Count(&count, 3)) return false;
  dir->set_name(name);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t seq = 0;
    InodeId child = 0;
    if (!r.Var(&seq) || !r.Str(&name, kMaxNameLength) || !r.Num(&child, kMaxInode)) return false;
    if (child == 0 || seq >= next || !dir->Restore(name, child, seq)) return false;
  }
  dir->set_next_seq(next);
  return true;
}

}  // namespace

Status Namespace::LoadNodes(std::string_view data, uint64_t format) {
  nodes_ = NodeTable{};
  dirs_.clear();
  symlinks_.clear();
  rdevs_.clear();
  xattrs_.clear();
  trash_.clear();
  trash_by_expiry_.clear();
  reserved_.clear();
  opens_.clear();
  totals_ = StatFs{};
  ByteReader r(data);
  InodeId prev = 0;
  log::Progress progress("loading the metadata image", data.size(), "bytes", 64u << 20);
  for (;;) {
    progress.Update(r.pos());
    InodeId id = 0;
    if (!r.Num(&id, kMaxInode)) return Bad("truncated node id");
    if (id == 0) {
      progress.Done();
      break;
    }
    // Any gap: the live master may free every number between two it keeps.
    if (id <= prev) return Bad(fmt::format("inode {} out of order", id));
    prev = id;
    Node* n = nodes_.Place(id);
    if (n == nullptr || !GetNodeFields(r, format, n)) return Bad(fmt::format("bad node {}", id));
    std::string s;
    if (n->type == NodeType::kSymlink) {
      if (!r.Str(&s, kMaxPath)) return Bad(fmt::format("bad symlink {}", id));
      symlinks_.emplace(id, s);
    }
    uint8_t has_rdev = 0;
    if (!r.Byte(&has_rdev) || has_rdev > 1) return Bad(fmt::format("bad rdev {}", id));
    if (has_rdev == 1 && !r.Num(&rdevs_[id])) return Bad(fmt::format("bad rdev {}", id));
    uint64_t nx = 0;
    if (!r.Count(&nx, 2)) return Bad(fmt::format("bad xattrs {}", id));
    if ((nx > 0) != ((n->flags & kFlagHasXattr) != 0)) {
      return Bad(fmt::format("xattr flag of {}", id));
    }
    for (uint64_t i = 0; i < nx; ++i) {
      std::string value;
      if (!r.Str(&s, kMaxXattrNameLength) || !r.Str(&value, kMaxXattrValueLength)) {
        return Bad(fmt::format("bad xattr of {}", id));
      }
      xattrs_[id].insert_or_assign(s, std::move(value));
    }
    if (n->is_dir() && !GetDirectory(r, &dirs_[id])) {
      return Bad(fmt::format("bad directory {}", id));
    }
  }
  uint64_t count = 0;
  if (!r.Count(&count, 3)) return Bad("bad trash count");
  for (uint64_t i = 0; i < count; ++i) {
    InodeId inode = 0;
    TrashInfo info;
    if (!r.Num(&inode, kMaxInode) || !r.Num(&info.expires) || !r.Str(&info.path, kMaxPath)) {
      return Bad("bad trash item");
    }
    trash_by_expiry_.emplace(info.expires, inode);
    trash_.insert_or_assign(inode, std::move(info));
  }
  if (!r.Count(&count, 2)) return Bad("bad reserved count");
  for (uint64_t i = 0; i < count; ++i) {
    InodeId inode = 0;
    std::string path;
    if (!r.Num(&inode, kMaxInode) || !r.Str(&path, kMaxPath)) return Bad("bad reserved item");
    reserved_.insert_or_assign(inode, std::move(path));
  }
  if (!r.Count(&count, 3)) return Bad("bad open count");
  for (uint64_t i = 0; i < count; ++i) {
    InodeId inode = 0;
    uint32_t session = 0;
    OpenCount open{0, kOpenedAny};  // before format 4 every open could read and write
    if (!r.Num(&inode, kMaxInode) || !r.Num(&session) || !r.Num(&open.count) || open.count == 0 ||
        (format >= kFormatOpenModes && (!r.Byte(&open.mode) || (open.mode & ~kOpenedAny) != 0))) {
      return Bad("bad open item");
    }
    opens_[{inode, session}] = open;
  }
  if (format >= 2) {  // format 1 ends before the cooling inodes
    if (!r.Count(&count, 2)) return Bad("bad cooling count");
    std::vector<std::pair<InodeId, uint32_t>> cooling(count);
    for (auto& [inode, freed_at] : cooling) {
      if (!r.Num(&inode, kMaxInode) || !r.Num(&freed_at)) return Bad("bad cooling inode");
    }
    if (!nodes_.RestoreCooling(std::move(cooling))) return Bad("cooling inode in use or twice");
  }
  if (!r.AtEnd()) return Bad("bytes after the end");
  ELK_RETURN_IF_ERROR(CheckLoaded());
  totals_ = WalkStats();
  return RebuildFileParents();
}

// Every reference points at a node of the right kind, so no later operation trips.
Status Namespace::CheckLoaded() const {
  const Node* root = nodes_.Get(kRootInode);
  if (root == nullptr || !root->is_dir()) return Bad("no root directory");
  Status bad;
  nodes_.ForEach([&](InodeId id, const Node& n) {
    if (!bad.ok()) return;
    if (n.is_dir()) {
      const Node* parent = nodes_.Get(n.parent);
      if (parent == nullptr || !parent->is_dir()) bad = Bad(fmt::format("parent of {}", id));
      DirOf(id).ForEach([&](std::string_view, InodeId child) {
        if (nodes_.Get(child) == nullptr) bad = Bad(fmt::format("entry of {} -> {}", id, child));
      });
    }
  });
  if (!bad.ok()) return bad;
  for (const auto& [inode, info] : trash_) {
    const Node* n = nodes_.Get(inode);
    if (n == nullptr || (n->flags & kFlagTrash) == 0) return Bad(fmt::format("trash {}", inode));
  }
  for (const auto& [inode, path] : reserved_) {
    const Node* n = nodes_.Get(inode);
    if (n == nullptr || (n->flags & kFlagReserved) == 0) {
      return Bad(fmt::format("reserved {}", inode));
    }
  }
  for (const auto& [key, open] : opens_) {
    if (nodes_.Get(key.first) == nullptr) return Bad(fmt::format("open {}", key.first));
  }
  return Status::Ok();
}

}  // namespace elk::master
