#include "mount/fuse/meta_fuse.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "mount/fuse/stat_convert.h"

namespace elk::mount {

namespace proto = protocol;

namespace {

MetaFuse& Self(fuse_req_t req) {
  return *static_cast<MetaFuse*>(fuse_req_userdata(req));
}

}  // namespace

std::string MetaFuse::ItemName(uint32_t inode, const std::string& path) {
  std::string p = path;
  if (!p.empty() && p[0] == '/') p.erase(0, 1);
  for (char& c : p)
    if (c == '/') c = '|';
  return fmt::format("{:08X}|{}", inode, p);
}

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

Result<std::vector<MetaFuse::Item>> MetaFuse::List(const Folder& f) {
  auto r = session_.Call<proto::MatoclListDetached>(proto::CltomaListDetached{0, f.kind});
  if (!r.ok()) return r.status();
  std::vector<Item> out;
  for (const auto& e : r->items) {
    if (f.bucket && (e.inode % kBuckets) != *f.bucket) continue;
    out.push_back({ItemName(e.inode, e.path), e.inode});
  }
  return out;
}

struct stat MetaFuse::DirStat(fuse_ino_t ino) const {
  struct stat st {};
  st.st_ino = ino;
  auto f = FolderOf(ino);
  st.st_mode = S_IFDIR | (f && f->undel ? 0700 : 0500);
  st.st_nlink = 2;
  return st;
}

struct stat MetaFuse::ItemStat(uint32_t inode) {
  struct stat st {};
  st.st_ino = kItemBase + inode;
  st.st_mode = S_IFREG | 0644;
  st.st_nlink = 1;
  auto a = session_.Getattr(inode, {});
  if (a.ok()) {
    st.st_size = static_cast<off_t>(a->length);
    st.st_uid = a->uid;
    st.st_gid = a->gid;
    st.st_mtim = fuse_convert::ToTimespec(a->mtime);
    st.st_ctim = fuse_convert::ToTimespec(a->ctime);
    st.st_atim = fuse_convert::ToTimespec(a->atime);
  }
  return st;
}

uint32_t MetaFuse::Find(fuse_ino_t parent, const char* name) {
  auto f = FolderOf(parent);
  if (!f || !f->lists_items) return 0;
  auto list = List(*f);
  if (!list.ok()) return 0;
  for (const auto& i : *list)
    if (i.name == name) return i.inode;
  return 0;
}

void MetaFuse::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_entry_param e{};
  e.attr_timeout = timeout_;
  e.entry_timeout = 0;
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
    uint32_t inode = Find(parent, name);
    if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
    e.ino = kItemBase + inode;
    e.attr = ItemStat(inode);
    fuse_reply_entry(req, &e);
    return;
  }
  e.attr = DirStat(e.ino);
  fuse_reply_entry(req, &e);
}

void MetaFuse::Getattr(fuse_req_t req, fuse_ino_t ino) {
  struct stat st {};
  if (ino >= kItemBase)
    st = ItemStat(static_cast<uint32_t>(ino - kItemBase));
  else if (FolderOf(ino))
    st = DirStat(ino);
  else
    return (void)fuse_reply_err(req, ENOENT);
  fuse_reply_attr(req, &st, timeout_);
}

void MetaFuse::Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       fuse_file_info* /*fi*/) {
  auto folder = FolderOf(ino);
  if (!folder) return (void)fuse_reply_err(req, ino >= kItemBase ? ENOTDIR : ENOENT);
  std::vector<std::pair<std::string, struct stat>> entries;
  entries.emplace_back(".", DirStat(ino));
  entries.emplace_back("..", DirStat(ParentOf(ino)));
  if (ino == FUSE_ROOT_ID) {
    entries.emplace_back("trash", DirStat(kTrash));
    entries.emplace_back(buckets_ ? "sustained" : "reserved", DirStat(kReserved));
  } else if (ino == kTrash && buckets_) {
    for (uint32_t b = 0; b < kBuckets; ++b)
      entries.emplace_back(BucketName(b), DirStat(kBucketBase + b));
  }
  if (ino == kTrash || (folder->bucket && !folder->undel)) {
    entries.emplace_back("undel",
                         DirStat(ino == kTrash ? kUndel : kBucketUndelBase + *folder->bucket));
  }
  if (folder->lists_items) {
    auto list = List(*folder);
    if (!list.ok()) return (void)fuse_reply_err(req, list.status().to_errno());
    for (const auto& i : *list) {
      struct stat st {};
      st.st_ino = kItemBase + i.inode;
      st.st_mode = S_IFREG;
      entries.emplace_back(i.name, st);
    }
  }
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < entries.size(); ++i) {
    size_t need = fuse_add_direntry(req, buf.data() + used, size - used, entries[i].first.c_str(),
                                    &entries[i].second, static_cast<off_t>(i + 1));
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void MetaFuse::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino < kItemBase) return (void)fuse_reply_err(req, EISDIR);
  if ((fi->flags & O_ACCMODE) != O_RDONLY) return (void)fuse_reply_err(req, EACCES);
  fi->direct_io = 1;  // the content may go (purge) or move (undelete) at any time
  fuse_reply_open(req, fi);
}

void MetaFuse::Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off) {
  if (ino < kItemBase) return (void)fuse_reply_err(req, EISDIR);
  auto data = io_.Read(static_cast<uint32_t>(ino - kItemBase), static_cast<uint64_t>(off),
                       static_cast<uint32_t>(size));
  if (!data.ok()) return (void)fuse_reply_err(req, data.status().to_errno());
  fuse_reply_buf(req, reinterpret_cast<const char*>(data->data()), data->size());
}

void MetaFuse::Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
                      const char* /*newname*/, unsigned int /*flags*/) {
  auto from = FolderOf(parent);
  auto to = FolderOf(newparent);
  if (!from || !to || !from->lists_items || from->kind != proto::DetachedKind::kTrash ||
      !to->undel) {
    return (void)fuse_reply_err(req, EPERM);
  }
  uint32_t inode = Find(parent, name);
  if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
  Status s = session_.Do(proto::CltomaUndelete{0, inode}, false);
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void MetaFuse::Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto from = FolderOf(parent);
  if (!from || !from->lists_items || from->kind != proto::DetachedKind::kTrash) {
    return (void)fuse_reply_err(req, EPERM);
  }
  uint32_t inode = Find(parent, name);
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
    o.readdir = [](fuse_req_t r, fuse_ino_t i, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Readdir(r, i, s, off, fi);
    };
    o.rename = [](fuse_req_t r, fuse_ino_t p, const char* n, fuse_ino_t np, const char* nn,
                  unsigned int f) { Self(r).Rename(r, p, n, np, nn, f); };
    o.unlink = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Unlink(r, p, n); };
    o.open = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Open(r, i, fi); };
    o.read = [](fuse_req_t r, fuse_ino_t i, size_t s, off_t off, fuse_file_info*) {
      Self(r).Read(r, i, s, off);
    };
    o.statfs = [](fuse_req_t r, fuse_ino_t i) { Self(r).Statfs(r, i); };
    return o;
  }();
  return ops;
}

}  // namespace elk::mount
