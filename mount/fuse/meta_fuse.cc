#include "mount/fuse/meta_fuse.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "mount/fuse/meta_names.h"
#include "mount/fuse/stat_convert.h"

namespace elk::mount {

namespace proto = protocol;
namespace names = meta_names;

namespace {

MetaFuse& Self(fuse_req_t req) {
  return *static_cast<MetaFuse*>(fuse_req_userdata(req));
}

// The handles below (fi->fh) may be gone the moment a reply about them is sent: the reply
// lets the caller's read/close return, and the RELEASE (RELEASEDIR) that follows runs on
// another FUSE thread and deletes the handle. So every handler replies only after its last
// touch of the handle - its lock included: a lock_guard still held at the reply unlocks a
// freed mutex (glibc then aborts with "unaligned tcache chunk detected" when a thread
// exits). What a reply needs is copied out under the lock first.

// An open item: its path text, read and written in memory, sent to the master at flush.
struct OpenItem {
  std::mutex mu;
  names::PathBuffer text;
  uint32_t inode = 0;
};

// An open folder: its entries as listed at the first readdir (or one at offset 0), so a
// folder of 100,000 items costs one listing per opendir, not one per readdir call.
template <typename Entry>
struct OpenDir {
  std::mutex mu;
  std::vector<Entry> entries;
  bool filled = false;
};

OpenItem* ItemHandle(const fuse_file_info* fi) {
  return reinterpret_cast<OpenItem*>(fi->fh);
}

bool IsItem(fuse_ino_t ino) {
  return ino >= MetaFuse::kItemBase;
}
bool IsTrashItem(fuse_ino_t ino) {
  return ino >= MetaFuse::kItemBase && ino < MetaFuse::kReservedItemBase;
}
uint32_t MasterInode(fuse_ino_t ino) {
  return static_cast<uint32_t>(ino & 0xFFFFFFFFULL);
}

}  // namespace

std::string MetaFuse::BucketName(uint32_t bucket) {
  return fmt::format("{:03X}", bucket);
}

std::optional<MetaFuse::Folder> MetaFuse::FolderOf(fuse_ino_t ino) const {
  using K = proto::DetachedKind;
  if (ino == FUSE_ROOT_ID) return Folder{};
  if (ino == kTrash) return Folder{!buckets_, K::kTrash, std::nullopt, false};
  if (ino == kUndel) return Folder{false, K::kTrash, std::nullopt, true};
  if (ino == kReserved) return Folder{true, K::kReserved, std::nullopt, false};
  if (buckets_ && ino >= kBucketBase && ino < kBucketBase + kBuckets) {
    return Folder{true, K::kTrash, static_cast<uint32_t>(ino - kBucketBase), false};
  }
  if (buckets_ && ino >= kBucketUndelBase && ino < kBucketUndelBase + kBuckets) {
    return Folder{false, K::kTrash, static_cast<uint32_t>(ino - kBucketUndelBase), true};
  }
  return std::nullopt;
}

fuse_ino_t MetaFuse::ParentOf(fuse_ino_t dir) const {
  if (dir == kUndel || (dir >= kBucketBase && dir < kBucketBase + kBuckets)) return kTrash;
  if (dir >= kBucketUndelBase && dir < kBucketUndelBase + kBuckets) {
    return kBucketBase + (dir - kBucketUndelBase);
  }
  return FUSE_ROOT_ID;
}

struct stat MetaFuse::DirStat(fuse_ino_t ino) const {
  struct stat st {};
  st.st_ino = ino;
  auto f = FolderOf(ino);
  st.st_mode = S_IFDIR | (f && f->undel ? 0700 : 0500);
  st.st_nlink = 2;
  return st;
}

// As MooseFS shows an item: the file's mode, owner, times and length (the length of its
// data, not of the path it reads as).
struct stat MetaFuse::ItemStat(fuse_ino_t ino, const proto::Attr& a) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFREG | (a.mode & 07777);
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(a.length);
  st.st_blocks = static_cast<blkcnt_t>((a.length + 511) / 512);
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_mtim = fuse_convert::ToTimespec(a.mtime);
  st.st_ctim = fuse_convert::ToTimespec(a.ctime);
  st.st_atim = fuse_convert::ToTimespec(a.atime);
  return st;
}

uint32_t MetaFuse::ItemOf(fuse_ino_t parent, const char* name) const {
  auto f = FolderOf(parent);
  if (!f || !f->lists_items) return 0;
  const uint32_t inode = names::InodeOfName(name);
  if (f->bucket && inode % kBuckets != *f->bucket) return 0;
  return inode;
}

Result<proto::MatoclDetachedAttr> MetaFuse::Item(fuse_ino_t ino) {
  const auto kind = IsTrashItem(ino) ? proto::DetachedKind::kTrash : proto::DetachedKind::kReserved;
  return session_.Call<proto::MatoclDetachedAttr>(
      proto::CltomaDetachedAttr{0, MasterInode(ino), kind});
}

void MetaFuse::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_entry_param e{};
  e.attr_timeout = timeout_;
  e.entry_timeout = entry_timeout_;
  const std::string_view n = name;
  const bool bucket_dir = parent >= kBucketBase && parent < kBucketBase + kBuckets;
  if (parent == FUSE_ROOT_ID && n == "trash") {
    e.ino = kTrash;
  } else if (parent == FUSE_ROOT_ID && n == (buckets_ ? "sustained" : "reserved")) {
    e.ino = kReserved;
  } else if (parent == kTrash && n == "undel") {
    e.ino = kUndel;
  } else if (buckets_ && bucket_dir && n == "undel") {
    e.ino = kBucketUndelBase + (parent - kBucketBase);
  } else if (buckets_ && parent == kTrash && n.size() == 3 &&
             n.find_first_not_of("0123456789ABCDEF") == std::string_view::npos) {
    e.ino = kBucketBase + std::stoul(std::string(n), nullptr, 16);
  } else {
    const uint32_t inode = ItemOf(parent, name);
    if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
    const bool reserved = FolderOf(parent)->kind == proto::DetachedKind::kReserved;
    e.ino = (reserved ? kReservedItemBase : kItemBase) + inode;
    auto item = Item(e.ino);
    if (!item.ok()) return (void)fuse_reply_err(req, item.status().to_errno());
    e.attr = ItemStat(e.ino, item->attr);
    fuse_reply_entry(req, &e);
    return;
  }
  e.attr = DirStat(e.ino);
  fuse_reply_entry(req, &e);
}

void MetaFuse::Getattr(fuse_req_t req, fuse_ino_t ino) {
  struct stat st {};
  if (IsItem(ino)) {
    auto item = Item(ino);
    if (!item.ok()) return (void)fuse_reply_err(req, item.status().to_errno());
    st = ItemStat(ino, item->attr);
  } else if (FolderOf(ino)) {
    st = DirStat(ino);
  } else {
    return (void)fuse_reply_err(req, ENOENT);
  }
  fuse_reply_attr(req, &st, timeout_);
}

// A truncate (`echo p > item` sends one before writing) changes nothing by itself, as in
// MooseFS: the first write replaces the content anyway (PathBuffer).
void MetaFuse::Setattr(fuse_req_t req, fuse_ino_t ino) {
  if (!IsItem(ino)) return (void)fuse_reply_err(req, EPERM);
  Getattr(req, ino);
}

Result<std::vector<MetaFuse::Entry>> MetaFuse::Entries(fuse_ino_t ino, const Folder& f) {
  std::vector<Entry> out;
  out.push_back({".", DirStat(ino)});
  out.push_back({"..", DirStat(ParentOf(ino))});
  if (ino == FUSE_ROOT_ID) {
    out.push_back({"trash", DirStat(kTrash)});
    out.push_back({buckets_ ? "sustained" : "reserved", DirStat(kReserved)});
  } else if (ino == kTrash && buckets_) {
    for (uint32_t b = 0; b < kBuckets; ++b)
      out.push_back({BucketName(b), DirStat(kBucketBase + b)});
  }
  if (ino == kTrash || (f.bucket && !f.undel)) {
    out.push_back({"undel", DirStat(ino == kTrash ? kUndel : kBucketUndelBase + *f.bucket)});
  }
  if (!f.lists_items) return out;
  auto r = session_.Call<proto::MatoclListDetached>(proto::CltomaListDetached{0, f.kind});
  if (!r.ok()) return r.status();
  const fuse_ino_t base = f.kind == proto::DetachedKind::kTrash ? kItemBase : kReservedItemBase;
  for (const auto& item : r->items) {
    if (f.bucket && item.inode % kBuckets != *f.bucket) continue;
    struct stat st {};
    st.st_ino = base + item.inode;
    st.st_mode = S_IFREG;
    out.push_back({names::ItemName(item.inode, item.path), st});
  }
  return out;
}

void MetaFuse::Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!FolderOf(ino)) return (void)fuse_reply_err(req, IsItem(ino) ? ENOTDIR : ENOENT);
  auto dir = std::make_unique<OpenDir<Entry>>();
  fi->fh = reinterpret_cast<uint64_t>(dir.get());
  // Owned by the kernel's handle once the reply is taken (until RELEASEDIR); an open whose
  // reply could not be sent gets no RELEASEDIR, so the handle goes with this scope.
  if (fuse_reply_open(req, fi) == 0) (void)dir.release();
}

void MetaFuse::Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  auto folder = FolderOf(ino);
  if (!folder || off < 0) return (void)fuse_reply_err(req, EINVAL);
  auto& dir = *reinterpret_cast<OpenDir<Entry>*>(fi->fh);
  std::vector<char> buf(size);
  size_t used = 0;
  Status listed = Status::Ok();
  {
    std::lock_guard lock(dir.mu);
    if (!dir.filled || off == 0) {  // a rewinddir lists again
      auto entries = Entries(ino, *folder);
      if (entries.ok()) {
        dir.entries = std::move(*entries);
        dir.filled = true;
      } else {
        listed = entries.status();
      }
    }
    for (size_t i = static_cast<size_t>(off); listed.ok() && i < dir.entries.size(); ++i) {
      const Entry& e = dir.entries[i];
      size_t need = fuse_add_direntry(req, buf.data() + used, size - used, e.name.c_str(), &e.st,
                                      static_cast<off_t>(i + 1));
      if (need > size - used) break;
      used += need;
    }
  }  // unlocked before the reply: the handle may be released once it is sent
  if (!listed.ok()) return (void)fuse_reply_err(req, listed.to_errno());
  fuse_reply_buf(req, buf.data(), used);
}

void MetaFuse::Releasedir(fuse_req_t req, fuse_file_info* fi) {
  // No request on this handle follows RELEASEDIR, and a handler still finishing after its
  // reply no longer touches the handle (see OpenItem above).
  std::unique_ptr<OpenDir<Entry>> dir(reinterpret_cast<OpenDir<Entry>*>(fi->fh));
  fuse_reply_err(req, 0);
}

void MetaFuse::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!IsItem(ino)) return (void)fuse_reply_err(req, EISDIR);
  // Only a trash item has a restore path to change (MooseFS's master refuses SETPATH for
  // the others).
  if (!IsTrashItem(ino) && (fi->flags & O_ACCMODE) != O_RDONLY) {
    return (void)fuse_reply_err(req, EACCES);
  }
  auto item = Item(ino);
  if (!item.ok()) return (void)fuse_reply_err(req, item.status().to_errno());
  auto open = std::unique_ptr<OpenItem>(
      new OpenItem{{}, names::PathBuffer(names::PathText(item->path)), MasterInode(ino)});
  fi->fh = reinterpret_cast<uint64_t>(open.get());
  fi->direct_io = 1;  // the path is this handle's own copy; no page cache in between
  if (fuse_reply_open(req, fi) == 0) (void)open.release();  // the kernel's until RELEASE
}

void MetaFuse::Read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) return (void)fuse_reply_err(req, EINVAL);
  OpenItem& item = *ItemHandle(fi);
  std::string part;  // a copy (at most a path and its newline): the reply outlives the lock
  {
    std::lock_guard lock(item.mu);
    part = item.text.Read(static_cast<uint64_t>(off), size);
  }
  fuse_reply_buf(req, part.data(), part.size());
}

void MetaFuse::Write(fuse_req_t req, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) return (void)fuse_reply_err(req, EINVAL);
  OpenItem& item = *ItemHandle(fi);
  Status s;
  {
    std::lock_guard lock(item.mu);
    s = item.text.Write(static_cast<uint64_t>(off), std::string_view(buf, size));
  }
  if (!s.ok()) return (void)fuse_reply_err(req, s.to_errno());
  fuse_reply_write(req, size);
}

// The new path goes to the master at the first flush after a write, so close() reports a
// path the master refused (EINVAL, ENOENT when the item is gone meanwhile).
void MetaFuse::Flush(fuse_req_t req, fuse_file_info* fi) {
  OpenItem& item = *ItemHandle(fi);
  const uint32_t inode = item.inode;
  std::string text;
  bool changed = false;
  {
    std::lock_guard lock(item.mu);
    changed = item.text.changed();
    if (changed) text = item.text.TakeWritten();
  }  // unlocked before any reply: the close's RELEASE may delete `item` once it is sent
  if (!changed) return (void)fuse_reply_err(req, 0);
  Status s = session_.Do(proto::CltomaSetTrashPath{0, inode, names::PathFromText(text)});
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void MetaFuse::Release(fuse_req_t req, fuse_file_info* fi) {
  std::unique_ptr<OpenItem> item(ItemHandle(fi));
  if (item->text.changed()) {  // written after the last flush: nobody is left to tell
    (void)session_.Do(
        proto::CltomaSetTrashPath{0, item->inode, names::PathFromText(item->text.TakeWritten())});
  }
  fuse_reply_err(req, 0);
}

void MetaFuse::Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
                      const char* /*newname*/, unsigned int /*flags*/) {
  auto from = FolderOf(parent);
  auto to = FolderOf(newparent);
  if (!from || !to || !from->lists_items || from->kind != proto::DetachedKind::kTrash ||
      !to->undel) {
    return (void)fuse_reply_err(req, EPERM);
  }
  const uint32_t inode = ItemOf(parent, name);
  if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
  Status s = session_.Do(proto::CltomaUndelete{0, inode}, false);
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void MetaFuse::Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto from = FolderOf(parent);
  if (!from || !from->lists_items || from->kind != proto::DetachedKind::kTrash) {
    return (void)fuse_reply_err(req, EPERM);
  }
  const uint32_t inode = ItemOf(parent, name);
  if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
  Status s = session_.Do(proto::CltomaPurge{0, inode}, false);
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void MetaFuse::Statfs(fuse_req_t req, fuse_ino_t /*ino*/) {
  struct statvfs v {};
  v.f_bsize = 65536;
  v.f_frsize = 65536;
  v.f_namemax = 255;
  auto s = session_.Statfs();
  if (s.ok()) {
    v.f_blocks = s->trash_space / 65536 + s->reserved_space / 65536;
    v.f_files = s->inodes;
  }
  fuse_reply_statfs(req, &v);
}

const fuse_lowlevel_ops& MetaFuse::Ops() {
  static const fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.lookup = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Lookup(r, p, n); };
    o.getattr = [](fuse_req_t r, fuse_ino_t i, fuse_file_info*) { Self(r).Getattr(r, i); };
    o.setattr = [](fuse_req_t r, fuse_ino_t i, struct stat*, int, fuse_file_info*) {
      Self(r).Setattr(r, i);
    };
    o.opendir = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Opendir(r, i, fi); };
    o.readdir = [](fuse_req_t r, fuse_ino_t i, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Readdir(r, i, s, off, fi);
    };
    o.releasedir = [](fuse_req_t r, fuse_ino_t, fuse_file_info* fi) { Self(r).Releasedir(r, fi); };
    o.rename = [](fuse_req_t r, fuse_ino_t p, const char* n, fuse_ino_t np, const char* nn,
                  unsigned int f) { Self(r).Rename(r, p, n, np, nn, f); };
    o.unlink = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Unlink(r, p, n); };
    o.open = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Open(r, i, fi); };
    o.read = [](fuse_req_t r, fuse_ino_t, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Read(r, s, off, fi);
    };
    o.write = [](fuse_req_t r, fuse_ino_t, const char* b, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Write(r, b, s, off, fi);
    };
    o.flush = [](fuse_req_t r, fuse_ino_t, fuse_file_info* fi) { Self(r).Flush(r, fi); };
    o.release = [](fuse_req_t r, fuse_ino_t, fuse_file_info* fi) { Self(r).Release(r, fi); };
    o.statfs = [](fuse_req_t r, fuse_ino_t i) { Self(r).Statfs(r, i); };
    return o;
  }();
  return ops;
}

}  // namespace elk::mount
