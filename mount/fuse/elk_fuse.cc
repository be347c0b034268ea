#include "mount/fuse/elk_fuse.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/file_limits.h"
#include "common/log/log.h"
#include "mount/fuse/stat_convert.h"
#include "mount/tools/masterinfo.h"

namespace elk::mount {

namespace proto = protocol;

namespace {

ElkFuse& Self(fuse_req_t req) {
  return *static_cast<ElkFuse*>(fuse_req_userdata(req));
}

mode_t TypeBits(proto::NodeType t) {
  switch (t) {
    case proto::NodeType::kDirectory:
      return S_IFDIR;
    case proto::NodeType::kSymlink:
      return S_IFLNK;
    case proto::NodeType::kFifo:
      return S_IFIFO;
    case proto::NodeType::kBlockDevice:
      return S_IFBLK;
    case proto::NodeType::kCharDevice:
      return S_IFCHR;
    case proto::NodeType::kSocket:
      return S_IFSOCK;
    default:
      return S_IFREG;
  }
}

proto::NodeType NodeTypeOf(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return proto::NodeType::kDirectory;
    case S_IFLNK:
      return proto::NodeType::kSymlink;
    case S_IFIFO:
      return proto::NodeType::kFifo;
    case S_IFBLK:
      return proto::NodeType::kBlockDevice;
    case S_IFCHR:
      return proto::NodeType::kCharDevice;
    case S_IFSOCK:
      return proto::NodeType::kSocket;
    default:
      return proto::NodeType::kFile;
  }
}

void ReplyStatus(fuse_req_t req, const Status& s) {
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

}  // namespace

uint32_t ElkFuse::ToMaster(fuse_ino_t ino) const {
  const uint32_t root = session_.root_inode();
  if (ino == FUSE_ROOT_ID) return root;
  if (ino == root) return FUSE_ROOT_ID;
  return static_cast<uint32_t>(ino);
}

fuse_ino_t ElkFuse::ToFuse(uint32_t inode) const {
  const uint32_t root = session_.root_inode();
  if (inode == root) return FUSE_ROOT_ID;
  if (inode == FUSE_ROOT_ID) return root;
  return inode;
}

struct stat ElkFuse::ToStat(const proto::Attr& a) const {
  struct stat st {};
  st.st_ino = ToFuse(a.inode);
  st.st_mode = TypeBits(a.type) | (a.mode & 07777);
  st.st_nlink = a.nlink;
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_size = static_cast<off_t>(a.length);
  st.st_blksize = elk::kBlockSize;
  st.st_blocks = static_cast<blkcnt_t>((a.length + 511) / 512);
  st.st_atim = fuse_convert::ToTimespec(a.atime);
  st.st_mtim = fuse_convert::ToTimespec(a.mtime);
  st.st_ctim = fuse_convert::ToTimespec(a.ctime);
  if (a.type == proto::NodeType::kBlockDevice || a.type == proto::NodeType::kCharDevice) {
    st.st_rdev = fuse_convert::DevOfWire(a.rdev);
  }
  return st;
}

fuse_entry_param ElkFuse::ToEntry(const proto::Attr& a) const {
  fuse_entry_param e{};
  e.ino = ToFuse(a.inode);
  e.attr = ToStat(a);
  e.attr_timeout = options_.attr_timeout;
  e.entry_timeout = options_.entry_timeout;
  return e;
}

std::string ElkFuse::MasterInfoText() const {
  tools::MasterInfo info;
  // The master the session is registered with now: with several in MASTER_HOST, the
  // leader; the tools join the session there.
  const net::Address master = session_.master();
  info.host = net::FormatIp(master.ip);
  info.port = master.port;
  info.session_id = session_.session_id();
  info.version = session_.options().software_version;
  info.root_inode = session_.root_inode();
  info.folder = session_.options().export_path;
  return tools::FormatMasterInfo(info);
}

struct stat ElkFuse::MasterInfoStat() const {
  struct stat st {};
  st.st_ino = kMasterInfoIno;
  st.st_mode = S_IFREG | 0444;
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(MasterInfoText().size());
  st.st_blksize = 4096;
  return st;
}

proto::Creds ElkFuse::CredsOf(fuse_req_t req) const {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  proto::Creds c;
  c.uid = ctx->uid;
  c.gid = ctx->gid;
  c.groups = groups_.Get(ctx->pid, ctx->uid, ctx->gid, [req] {
    gid_t groups[64];
    const int n = fuse_req_getgroups(req, 64, groups);
    return std::vector<uint32_t>(groups, groups + std::clamp(n, 0, 64));
  });
  return c;
}

void ElkFuse::ReplyEntry(fuse_req_t req, const Result<proto::Attr>& a, uint64_t since) {
  if (!a.ok()) {
    fuse_reply_err(req, a.status().to_errno());
    return;
  }
  fuse_entry_param e = ToEntry(WithOwnWrites(*a, since));
  fuse_reply_entry(req, &e);
}

void ElkFuse::ReplyNewEntry(fuse_req_t req, const Result<proto::Attr>& a) {
  if (!a.ok()) {
    fuse_reply_err(req, a.status().to_errno());
    return;
  }
  fuse_entry_param e = ToEntry(*a);
  fuse_reply_entry(req, &e);
}

// The kernel takes the length in any attribute reply as the file's (and drops cached pages
// past it), so a length older than this mount's own buffered writes would cut them off for
// every reader here - and place an O_APPEND write at the old end.
proto::Attr ElkFuse::WithOwnWrites(proto::Attr a, uint64_t since) {
  if (a.type != proto::NodeType::kFile) return a;
  std::shared_ptr<WriteBehind> writer;
  {
    std::lock_guard lock(open_mu_);
    auto it = writers_.find(a.inode);
    if (it != writers_.end()) writer = it->second.lock();
  }
  if (writer) a.length = std::max(a.length, writer->GrownLength(since));
  return a;
}

Status ElkFuse::FlushFile(OpenFile& f) {
  Status s = f.writes->Drain();
  if (!s.ok()) log::Error("write of inode {} failed: {}", f.inode, s.ToString());
  return s;
}

Status ElkFuse::SyncFile(OpenFile& f) {
  ELK_RETURN_IF_ERROR(FlushFile(f));
  return io_.Sync(f.inode);
}

ElkFuse::OpenFile* ElkFuse::Track(uint32_t inode) {
  auto f = std::make_unique<OpenFile>();
  f->inode = inode;
  std::lock_guard lock(open_mu_);
  std::shared_ptr<WriteBehind> writer = writers_[inode].lock();
  if (!writer) {
    writer = std::make_shared<WriteBehind>(io_, inode, options_.write_buffer);
    writers_[inode] = writer;
  }
  f->writes = std::move(writer);
  open_[inode].insert(f.get());
  return f.release();  // owned through fuse_file_info::fh until Untrack
}

void ElkFuse::Untrack(OpenFile* file) {
  std::unique_ptr<OpenFile> owned(file);  // freed after the lock below is let go
  std::lock_guard lock(open_mu_);
  auto it = open_.find(file->inode);
  if (it == open_.end()) return;
  it->second.erase(file);
  if (it->second.empty()) {
    open_.erase(it);
    writers_.erase(file->inode);  // the last descriptor: its writer goes with it
  }
}

Status ElkFuse::FlushInode(uint32_t inode) {
  // open_mu_ is held throughout, so no file can be released (and freed) meanwhile; the
  // lock order is always open_mu_ then a file's mu.
  std::lock_guard lock(open_mu_);
  auto it = open_.find(inode);
  if (it == open_.end()) return Status::Ok();
  Status result;
  for (OpenFile* f : it->second) {
    std::lock_guard flock(f->mu);
    Status s = FlushFile(*f);
    if (!s.ok()) result = s;
  }
  return result;
}

void ElkFuse::Init(fuse_conn_info* conn) {
  conn->max_write = 1u << 20;
  conn->max_readahead = options_.readahead;
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
  // Locks go to the master, never kept by this kernel alone (docs/locks.md).
  conn->want |= conn->capable & (FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
}

void ElkFuse::Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent == FUSE_ROOT_ID && std::strcmp(name, kMasterInfoName) == 0) {
    fuse_entry_param e{};
    e.ino = kMasterInfoIno;
    e.attr = MasterInfoStat();
    fuse_reply_entry(req, &e);
    return;
  }
  const uint64_t since = WriteBehind::Now();
  auto a = session_.Lookup(ToMaster(parent), name, CredsOf(req));
  if (!a.ok() && a.code() == Code::kNoEnt && options_.negentry_timeout > 0) {
    // mfsnegentrycacheto: an entry with inode 0 tells the kernel the name is absent, for
    // this long.
    fuse_entry_param e{};
    e.entry_timeout = options_.negentry_timeout;
    fuse_reply_entry(req, &e);
    return;
  }
  ReplyEntry(req, a, since);
}

void ElkFuse::Getattr(fuse_req_t req, fuse_ino_t ino) {
  if (ino == kMasterInfoIno) {
    struct stat st = MasterInfoStat();
    fuse_reply_attr(req, &st, 0);
    return;
  }
  const uint32_t inode = ToMaster(ino);
  Status f = FlushInode(inode);
  if (!f.ok()) return ReplyStatus(req, f);
  auto a = session_.Getattr(inode, CredsOf(req));
  if (!a.ok()) return ReplyStatus(req, a.status());
  struct stat st = ToStat(*a);
  fuse_reply_attr(req, &st, options_.attr_timeout);
}

bool ElkFuse::OpenedForWriting(const fuse_file_info* fi) {
  if (fi == nullptr || fi->fh == 0) return false;
  return reinterpret_cast<const OpenFile*>(fi->fh)->writable;
}

void ElkFuse::Setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                      fuse_file_info* fi) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EPERM);
  const uint32_t inode = ToMaster(ino);
  proto::CltomaSetattr m;
  m.inode = inode;
  m.creds = CredsOf(req);
  if (to_set & FUSE_SET_ATTR_MODE) m.mode = static_cast<uint16_t>(attr->st_mode & 07777);
  if (to_set & FUSE_SET_ATTR_UID) m.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) m.gid = attr->st_gid;
  // "Now" goes as such, not as this machine's clock: the master lets a writer set the
  // times to now (UTIME_NOW) but only the owner set explicit ones.
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    m.flags |= proto::kSetattrAtimeNow;
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    m.atime = fuse_convert::FromTimespec(attr->st_atim);
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    m.flags |= proto::kSetattrMtimeNow;
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    m.mtime = fuse_convert::FromTimespec(attr->st_mtim);
  }
  if (OpenedForWriting(fi)) m.flags |= proto::kSetattrOpenForWrite;
  if (to_set & FUSE_SET_ATTR_SIZE) {
    // The kernel lets FUSE files reach MAX_LFS_FILESIZE: our smaller limit is checked here.
    if (static_cast<uint64_t>(attr->st_size) > kMaxFileLength) {
      return (void)fuse_reply_err(req, EFBIG);
    }
    Status f = FlushInode(inode);
    if (!f.ok()) return ReplyStatus(req, f);
    m.length = static_cast<uint64_t>(attr->st_size);
  }
  const uint64_t since = WriteBehind::Now();
  auto a = session_.Setattr(m);
  if (to_set & FUSE_SET_ATTR_SIZE) io_.Forget(inode);
  if (!a.ok()) return ReplyStatus(req, a.status());
  // A new length set here is the length, whatever was written before it.
  struct stat st = ToStat((to_set & FUSE_SET_ATTR_SIZE) ? *a : WithOwnWrites(*a, since));
  fuse_reply_attr(req, &st, options_.attr_timeout);
}

namespace {

// Zeros [from, to) of a file: whole chunks become holes, the pieces at either end are
// written as zeros.
Status ZeroRange(client::ChunkIo& io, uint32_t inode, uint64_t from, uint64_t to) {
  const uint64_t first_whole = (from + elk::kChunkSize - 1) / elk::kChunkSize;
  const uint64_t end_whole = to / elk::kChunkSize;
  std::vector<std::pair<uint64_t, uint64_t>> edges;
  if (first_whole < end_whole) {
    ELK_RETURN_IF_ERROR(io.PunchChunks(inode, static_cast<uint32_t>(first_whole),
                                       static_cast<uint32_t>(end_whole - first_whole)));
    edges = {{from, first_whole * elk::kChunkSize}, {end_whole * elk::kChunkSize, to}};
  } else {
    edges = {{from, to}};
  }
  const std::vector<uint8_t> zeros(std::min<uint64_t>(to - from, uint64_t{1} << 20), 0);
  for (auto [at, end] : edges) {
    while (at < end) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(end - at, zeros.size()));
      ELK_RETURN_IF_ERROR(io.Write(inode, at, std::span(zeros.data(), n)));
      at += n;
    }
  }
  return Status::Ok();
}

}  // namespace

void ElkFuse::Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                        fuse_file_info* fi) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EPERM);
  if (offset < 0 || length <= 0) return (void)fuse_reply_err(req, EINVAL);
  if (!FitsInMaxLength(static_cast<uint64_t>(offset), static_cast<uint64_t>(length))) {
    return (void)fuse_reply_err(req, EFBIG);
  }
  const bool keep_size = (mode & FALLOC_FL_KEEP_SIZE) != 0;
  const int kind = mode & ~FALLOC_FL_KEEP_SIZE;
  if (kind != 0 && kind != FALLOC_FL_PUNCH_HOLE && kind != FALLOC_FL_ZERO_RANGE) {
    return (void)fuse_reply_err(req, EOPNOTSUPP);
  }
  if (kind == FALLOC_FL_PUNCH_HOLE && !keep_size) return (void)fuse_reply_err(req, EOPNOTSUPP);
  const uint32_t inode = ToMaster(ino);
  const proto::Creds creds = CredsOf(req);
  if (Status f = FlushInode(inode); !f.ok()) return ReplyStatus(req, f);
  auto attr = session_.Getattr(inode, creds);
  if (!attr.ok()) return ReplyStatus(req, attr.status());
  const uint64_t from = static_cast<uint64_t>(offset);
  const uint64_t to = from + static_cast<uint64_t>(length);
  if (kind != 0 && from < attr->length) {
    if (Status s = ZeroRange(io_, inode, from, std::min(to, attr->length)); !s.ok()) {
      return ReplyStatus(req, s);
    }
  }
  if (!keep_size && to > attr->length) {
    proto::CltomaSetattr m;
    m.inode = inode;
    m.creds = creds;
    m.length = to;
    if (OpenedForWriting(fi)) m.flags |= proto::kSetattrOpenForWrite;
    auto grown = session_.Setattr(m);
    if (!grown.ok()) return ReplyStatus(req, grown.status());
  }
  fuse_reply_err(req, 0);
}

void ElkFuse::Readlink(fuse_req_t req, fuse_ino_t ino) {
  auto t = session_.Readlink(ToMaster(ino));
  if (!t.ok()) return ReplyStatus(req, t.status());
  fuse_reply_readlink(req, t->c_str());
}

void ElkFuse::Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  ReplyNewEntry(req, session_.Mknod(ToMaster(parent), name, NodeTypeOf(mode),
                                    static_cast<uint16_t>(mode & 07777), 0,
                                    fuse_convert::WireRdev(rdev), CredsOf(req)));
}

void ElkFuse::Mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  ReplyNewEntry(req, session_.Mkdir(ToMaster(parent), name, static_cast<uint16_t>(mode & 07777), 0,
                                    CredsOf(req)));
}

void ElkFuse::Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyStatus(req, session_.Unlink(ToMaster(parent), name, CredsOf(req)));
}

void ElkFuse::Rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyStatus(req, session_.Rmdir(ToMaster(parent), name, CredsOf(req)));
}

void ElkFuse::Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  ReplyNewEntry(req, session_.Symlink(ToMaster(parent), name, target, CredsOf(req)));
}

void ElkFuse::Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
                     const char* newname, unsigned int flags) {
  proto::RenameMode mode = proto::RenameMode::kReplace;
  if (flags == RENAME_NOREPLACE) {
    mode = proto::RenameMode::kNoReplace;
  } else if (flags == RENAME_EXCHANGE) {
    mode = proto::RenameMode::kExchange;
  } else if (flags != 0) {
    return (void)fuse_reply_err(req, EINVAL);  // RENAME_WHITEOUT, or both at once
  }
  ReplyStatus(req, session_.Rename(ToMaster(parent), name, ToMaster(newparent), newname,
                                   CredsOf(req), mode));
}

void ElkFuse::Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  const uint64_t since = WriteBehind::Now();
  ReplyEntry(req, session_.Link(ToMaster(ino), ToMaster(newparent), newname, CredsOf(req)), since);
}

void ElkFuse::Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino == kMasterInfoIno) {
    if ((fi->flags & O_ACCMODE) != O_RDONLY) return (void)fuse_reply_err(req, EACCES);
    fi->fh = 0;
    fi->direct_io = 1;
    fuse_reply_open(req, fi);
    return;
  }
  const uint32_t inode = ToMaster(ino);
  uint8_t flags = 0;
  const int acc = fi->flags & O_ACCMODE;
  if (acc == O_RDONLY || acc == O_RDWR) flags |= proto::kOpenRead;
  if (acc == O_WRONLY || acc == O_RDWR) flags |= proto::kOpenWrite;
  if (fi->flags & O_TRUNC) {
    flags |= proto::kOpenTruncate;
    Status f = FlushInode(inode);
    if (!f.ok()) return ReplyStatus(req, f);
  }
  auto a = session_.Open(inode, flags, CredsOf(req));
  if (flags & proto::kOpenTruncate) io_.Forget(inode);
  if (!a.ok()) return ReplyStatus(req, a.status());
  OpenFile* f = Track(inode);
  f->writable = (flags & proto::kOpenWrite) != 0;
  f->sync_writes = (fi->flags & (O_SYNC | O_DSYNC)) != 0;
  fi->fh = reinterpret_cast<uint64_t>(f);
  fi->direct_io = page_cache_.direct_io() ? 1 : 0;
  // A truncating open changed the file: what the kernel cached is stale.
  fi->keep_cache =
      (flags & proto::kOpenTruncate) == 0 && page_cache_.KeepCache(inode, a->mtime, a->length);
  if (fuse_reply_open(req, fi) != 0) ForgetUnrepliedOpen(f);
}

void ElkFuse::Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
                     fuse_file_info* fi) {
  auto a =
      session_.Create(ToMaster(parent), name, static_cast<uint16_t>(mode & 07777), 0, CredsOf(req),
                      /*open=*/true);
  if (!a.ok()) return ReplyStatus(req, a.status());
  OpenFile* f = Track(a->inode);
  f->writable = (fi->flags & O_ACCMODE) != O_RDONLY;
  f->sync_writes = (fi->flags & (O_SYNC | O_DSYNC)) != 0;
  fi->fh = reinterpret_cast<uint64_t>(f);
  fi->direct_io = page_cache_.direct_io() ? 1 : 0;
  fuse_entry_param e = ToEntry(*a);
  if (fuse_reply_create(req, &e, fi) != 0) ForgetUnrepliedOpen(f);
}

// The kernel never got the descriptor (the opener was interrupted), so no release will come:
// give the master back the count it took at open.
void ElkFuse::ForgetUnrepliedOpen(OpenFile* f) {
  const uint32_t inode = f->inode;
  Untrack(f);
  Status closed = session_.Release(inode);
  if (!closed.ok()) log::Warning("release of unreplied open of {}: {}", inode, closed.ToString());
}

void ElkFuse::Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* /*fi*/) {
  if (ino == kMasterInfoIno) {
    const std::string text = MasterInfoText();
    const auto start = std::min<size_t>(static_cast<size_t>(off), text.size());
    const size_t n = std::min(size, text.size() - start);
    fuse_reply_buf(req, text.data() + start, n);
    return;
  }
  const uint32_t inode = ToMaster(ino);
  Status f = FlushInode(inode);
  if (!f.ok()) return ReplyStatus(req, f);
  auto data = io_.Read(inode, static_cast<uint64_t>(off), static_cast<uint32_t>(size));
  if (!data.ok()) return ReplyStatus(req, data.status());
  fuse_reply_buf(req, reinterpret_cast<const char*>(data->data()), data->size());
}

void ElkFuse::Write(fuse_req_t req, fuse_ino_t /*ino*/, const char* buf, size_t size, off_t off,
                    fuse_file_info* fi) {
  auto* f = reinterpret_cast<OpenFile*>(fi->fh);
  if (f == nullptr) return (void)fuse_reply_err(req, EBADF);
  // The kernel's limit for FUSE (s_maxbytes) is MAX_LFS_FILESIZE, far past ours: a write
  // beyond kMaxFileLength reaches us, and must not reach the buffer.
  if (off < 0 || !FitsInMaxLength(static_cast<uint64_t>(off), size)) {
    return (void)fuse_reply_err(req, EFBIG);
  }
  std::lock_guard lock(f->mu);
  Status s =
      f->writes->Append(static_cast<uint64_t>(off), {reinterpret_cast<const uint8_t*>(buf), size});
  if (s.ok() && f->sync_writes) s = SyncFile(*f);
  if (!s.ok()) return ReplyStatus(req, s);
  fuse_reply_write(req, size);
}

void ElkFuse::Flush(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  auto* f = reinterpret_cast<OpenFile*>(fi->fh);
  if (f == nullptr) return (void)fuse_reply_err(req, 0);
  Status s;
  {
    std::lock_guard lock(f->mu);
    s = FlushFile(*f);
  }
  // A close: the closing process's POSIX locks on the file go, whichever descriptor it was.
  ReleaseLocks(f->inode, fi->lock_owner, proto::LockKind::kPosix);
  ReplyStatus(req, s);
}

// fsync and fdatasync alike: the data on every copy's disk (the length the master logged
// before it answered the write's end).
void ElkFuse::Fsync(fuse_req_t req, fuse_ino_t /*ino*/, int /*datasync*/, fuse_file_info* fi) {
  auto* f = reinterpret_cast<OpenFile*>(fi->fh);
  if (f == nullptr) return (void)fuse_reply_err(req, 0);
  std::lock_guard lock(f->mu);
  ReplyStatus(req, SyncFile(*f));
}

void ElkFuse::Release(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  auto* f = reinterpret_cast<OpenFile*>(fi->fh);
  if (f == nullptr) return (void)fuse_reply_err(req, 0);
  Status s;
  {
    std::lock_guard lock(f->mu);
    s = FlushFile(*f);
  }
  const uint32_t inode = f->inode;
  // The open file description goes: its flock goes with it.
  if (fi->flock_release) ReleaseLocks(inode, fi->lock_owner, proto::LockKind::kFlock);
  Untrack(f);
  // The master counted this descriptor at open: an unlinked file waits for the last one.
  // A release lost in a reconnect reaches the master through the session's account.
  Status closed = session_.Release(inode);
  if (!closed.ok()) log::Warning("release of inode {}: {}", inode, closed.ToString());
  ReplyStatus(req, s);
}

const fuse_lowlevel_ops& ElkFuse::Ops() {
  static const fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.init = [](void* self, fuse_conn_info* conn) { static_cast<ElkFuse*>(self)->Init(conn); };
    o.lookup = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Lookup(r, p, n); };
    o.getattr = [](fuse_req_t r, fuse_ino_t i, fuse_file_info*) { Self(r).Getattr(r, i); };
    o.fallocate = [](fuse_req_t r, fuse_ino_t i, int mode, off_t off, off_t len,
                     fuse_file_info* fi) { Self(r).Fallocate(r, i, mode, off, len, fi); };
    o.setattr = [](fuse_req_t r, fuse_ino_t i, struct stat* a, int s, fuse_file_info* fi) {
      Self(r).Setattr(r, i, a, s, fi);
    };
    o.readlink = [](fuse_req_t r, fuse_ino_t i) { Self(r).Readlink(r, i); };
    o.mknod = [](fuse_req_t r, fuse_ino_t p, const char* n, mode_t m, dev_t d) {
      Self(r).Mknod(r, p, n, m, d);
    };
    o.mkdir = [](fuse_req_t r, fuse_ino_t p, const char* n, mode_t m) {
      Self(r).Mkdir(r, p, n, m);
    };
    o.unlink = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Unlink(r, p, n); };
    o.rmdir = [](fuse_req_t r, fuse_ino_t p, const char* n) { Self(r).Rmdir(r, p, n); };
    o.symlink = [](fuse_req_t r, const char* t, fuse_ino_t p, const char* n) {
      Self(r).Symlink(r, t, p, n);
    };
    o.rename = [](fuse_req_t r, fuse_ino_t p, const char* n, fuse_ino_t np, const char* nn,
                  unsigned int f) { Self(r).Rename(r, p, n, np, nn, f); };
    o.link = [](fuse_req_t r, fuse_ino_t i, fuse_ino_t np, const char* nn) {
      Self(r).Link(r, i, np, nn);
    };
    o.open = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Open(r, i, fi); };
    o.create = [](fuse_req_t r, fuse_ino_t p, const char* n, mode_t m, fuse_file_info* fi) {
      Self(r).Create(r, p, n, m, fi);
    };
    o.read = [](fuse_req_t r, fuse_ino_t i, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Read(r, i, s, off, fi);
    };
    o.write = [](fuse_req_t r, fuse_ino_t i, const char* b, size_t s, off_t off,
                 fuse_file_info* fi) { Self(r).Write(r, i, b, s, off, fi); };
    o.flush = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Flush(r, i, fi); };
    o.release = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Release(r, i, fi); };
    o.fsync = [](fuse_req_t r, fuse_ino_t i, int d, fuse_file_info* fi) {
      Self(r).Fsync(r, i, d, fi);
    };
    o.opendir = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { Self(r).Opendir(r, i, fi); };
    o.getxattr = [](fuse_req_t r, fuse_ino_t i, const char* n, size_t s) {
      Self(r).Getxattr(r, i, n, s);
    };
    o.setxattr = [](fuse_req_t r, fuse_ino_t i, const char* n, const char* v, size_t s, int f) {
      Self(r).Setxattr(r, i, n, v, s, f);
    };
    o.listxattr = [](fuse_req_t r, fuse_ino_t i, size_t s) { Self(r).Listxattr(r, i, s); };
    o.removexattr = [](fuse_req_t r, fuse_ino_t i, const char* n) { Self(r).Removexattr(r, i, n); };
    o.readdir = [](fuse_req_t r, fuse_ino_t i, size_t s, off_t off, fuse_file_info* fi) {
      Self(r).Readdir(r, i, s, off, fi);
    };
    o.releasedir = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) {
      Self(r).Releasedir(r, i, fi);
    };
    o.statfs = [](fuse_req_t r, fuse_ino_t i) { Self(r).Statfs(r, i); };
    o.getlk = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi, struct flock* l) {
      Self(r).Getlk(r, i, fi, l);
    };
    o.setlk = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi, struct flock* l, int sleep) {
      Self(r).Setlk(r, i, fi, l, sleep);
    };
    o.flock = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi, int op) {
      Self(r).Flock(r, i, fi, op);
    };
    return o;
  }();
  return ops;
}

}  // namespace elk::mount
