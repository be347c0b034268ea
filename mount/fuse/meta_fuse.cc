#include "mount/fuse/meta_fuse.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"

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

Result<std::vector<MetaFuse::Item>> MetaFuse::List(proto::DetachedKind kind) {
  auto r = session_.Call<proto::MatoclListDetached>(proto::CltomaListDetached{0, kind});
  if (!r.ok()) return r.status();
  std::vector<Item> out;
  for (const auto& e : r->items)
    out.push_back({ItemName(e.inode, e.path), e.inode});
  return out;
}

struct stat MetaFuse::DirStat(fuse_ino_t ino) const {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | (ino == kUndel ? 0700 : 0500);
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
    st.st_mtime = a->mtime;
    st.st_ctime = a->ctime;
    st.st_atime = a->atime;
  }
  return st;
}

uint32_t MetaFuse::Find(fuse_ino_t parent, const char* name) {
  if (parent != kTrash && parent != kReserved) return 0;
  auto list = List(parent == kTrash ? proto::DetachedKind::kTrash : proto::DetachedKind::kReserved);
  if (!list.ok()) return 0;
  for (const auto& i : *list)
    if (i.name == name) return i.inode;
  return 0;
}

void MetaFuse::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_entry_param e{};
  e.attr_timeout = timeout_;
  e.entry_timeout = 0;
  if (parent == FUSE_ROOT_ID && std::strcmp(name, "trash") == 0) {
    e.ino = kTrash;
  } else if (parent == FUSE_ROOT_ID && std::strcmp(name, "reserved") == 0) {
    e.ino = kReserved;
  } else if (parent == kTrash && std::strcmp(name, "undel") == 0) {
    e.ino = kUndel;
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
  else if (ino == FUSE_ROOT_ID || ino == kTrash || ino == kUndel || ino == kReserved)
    st = DirStat(ino);
  else
    return (void)fuse_reply_err(req, ENOENT);
  fuse_reply_attr(req, &st, timeout_);
}

void MetaFuse::Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       fuse_file_info* /*fi*/) {
  std::vector<std::pair<std::string, struct stat>> entries;
  entries.emplace_back(".", DirStat(ino));
  entries.emplace_back("..", DirStat(ino == kUndel ? kTrash : FUSE_ROOT_ID));
  if (ino == FUSE_ROOT_ID) {
    entries.emplace_back("trash", DirStat(kTrash));
    entries.emplace_back("reserved", DirStat(kReserved));
  } else if (ino == kTrash || ino == kReserved) {
    if (ino == kTrash) entries.emplace_back("undel", DirStat(kUndel));
    auto list = List(ino == kTrash ? proto::DetachedKind::kTrash : proto::DetachedKind::kReserved);
    if (!list.ok()) return (void)fuse_reply_err(req, list.status().to_errno());
    for (const auto& i : *list) {
      struct stat st {};
      st.st_ino = kItemBase + i.inode;
      st.st_mode = S_IFREG;
      entries.emplace_back(i.name, st);
    }
  } else if (ino != kUndel) {
    return (void)fuse_reply_err(req, ENOTDIR);
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

void MetaFuse::Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
                      const char* /*newname*/, unsigned int /*flags*/) {
  if (parent != kTrash || newparent != kUndel) return (void)fuse_reply_err(req, EPERM);
  uint32_t inode = Find(parent, name);
  if (inode == 0) return (void)fuse_reply_err(req, ENOENT);
  Status s = session_.Do(proto::CltomaUndelete{0, inode}, false);
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void MetaFuse::Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != kTrash) return (void)fuse_reply_err(req, EPERM);
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
    o.statfs = [](fuse_req_t r, fuse_ino_t i) { Self(r).Statfs(r, i); };
    return o;
  }();
  return ops;
}

}  // namespace elk::mount
