// File locks through the mount (docs/locks.md): flock(2) and fcntl record locks are kept by
// the master for every mount. A lock that may wait runs on a LockWaits thread, which
// replies to FUSE when the master answers; a FUSE interrupt (a signal to the waiting
// process, its death included) cancels the wait at the master and the call ends with EINTR.
// POSIX locks of an owner go at the close of any of its descriptors of the file (flush),
// flocks at the release of the open file description; the mount asks the master only when
// its record says it holds some. Writes buffered in this mount are flushed before an unlock,
// and a granted lock drops what the kernel and this mount cached of the file, so a reader
// under the lock sees what the previous holder wrote on another mount (docs/locks.md).

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "common/log/log.h"
#include "mount/fuse/elk_fuse.h"

namespace elk::mount {

namespace proto = protocol;

namespace {

constexpr uint64_t kEnd = locks::kLockEnd;

proto::LockType TypeOf(short l_type) {
  switch (l_type) {
    case F_RDLCK:
      return proto::LockType::kShared;
    case F_WRLCK:
      return proto::LockType::kExclusive;
    default:
      return proto::LockType::kUnlock;
  }
}

// libfuse gives the kernel's [start, end] as l_start and l_len (0: to the end).
uint64_t EndOf(const struct flock& l) {
  if (l.l_len <= 0) return kEnd;
  return static_cast<uint64_t>(l.l_start) + static_cast<uint64_t>(l.l_len) - 1;
}

// A session that cannot answer is "no lock available", not an I/O error, to the caller.
int LockErrno(const Status& s) {
  if (s.code() == Code::kDisconnected || s.code() == Code::kTimeout ||
      s.code() == Code::kBadSession)
    return ENOLCK;
  return s.to_errno();
}

void Interrupted(fuse_req_t req, void* data) {
  auto& self = *static_cast<ElkFuse*>(fuse_req_userdata(req));
  self.CancelLockWait(reinterpret_cast<uintptr_t>(data));
}

}  // namespace

void ElkFuse::DropCachedFile(uint32_t inode) {
  io_.Forget(inode);
  fuse_session* se = fuse_session_.load();
  if (se == nullptr) return;
  // Pages and attributes; ENOENT: the kernel holds nothing of the file.
  const int r = fuse_lowlevel_notify_inval_inode(se, ToFuse(inode), 0, 0);
  if (r != 0 && r != -ENOENT)
    log::Warning("inode {}: cache not dropped: {}", inode, std::strerror(-r));
}

void ElkFuse::CancelLockWait(uint64_t wait_id) {
  Status s = session_.CancelLockWait(wait_id);
  if (!s.ok()) log::Warning("lock wait {} not cancelled: {}", wait_id, s.ToString());
}

void ElkFuse::SendLock(fuse_req_t req, proto::CltomaLock m, bool wait) {
  if (!wait || m.type == proto::LockType::kUnlock) {
    // What was written under the lock reaches the chunkservers and the master before
    // another mount can take it.
    if (m.type == proto::LockType::kUnlock) {
      if (Status f = FlushInode(m.inode); !f.ok()) return (void)fuse_reply_err(req, f.to_errno());
    }
    Status s = session_.Lock(m);
    if (s.ok() && m.type != proto::LockType::kUnlock) DropCachedFile(m.inode);
    return (void)fuse_reply_err(req, s.ok() ? 0 : LockErrno(s));
  }
  m.flags |= proto::kLockWait;
  m.wait_id = next_wait_id_.fetch_add(1);
  // Registered before the wait starts: an interrupt that came already cancels at once (the
  // master remembers a cancel that overtakes its request).
  fuse_req_interrupt_func(req, &Interrupted, reinterpret_cast<void*>(uintptr_t{m.wait_id}));
  {
    std::lock_guard lock(waits_mu_);
    active_waits_.insert(m.wait_id);
  }
  const bool started = lock_waits_.Run([this, req, m] {
    Status s = session_.Lock(m);
    {
      std::lock_guard lock(waits_mu_);
      active_waits_.erase(m.wait_id);
    }
    if (s.ok()) DropCachedFile(m.inode);
    fuse_reply_err(req, s.ok() ? 0 : LockErrno(s));
  });
  if (started) return;
  std::lock_guard lock(waits_mu_);
  active_waits_.erase(m.wait_id);
  fuse_reply_err(req, ENOLCK);
}

void ElkFuse::Getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EINVAL);
  proto::CltomaLockTest m{.msgid = 0,
                          .inode = ToMaster(ino),
                          .owner = fi->lock_owner,
                          .type = TypeOf(lock->l_type),
                          .start = static_cast<uint64_t>(lock->l_start),
                          .end = EndOf(*lock)};
  auto r = session_.LockTest(m);
  if (!r.ok()) return (void)fuse_reply_err(req, LockErrno(r.status()));
  struct flock out = *lock;
  if (r->type == proto::LockType::kUnlock) {
    out.l_type = F_UNLCK;
  } else {
    out.l_type = r->type == proto::LockType::kShared ? F_RDLCK : F_WRLCK;
    out.l_whence = SEEK_SET;
    out.l_start = static_cast<off_t>(r->start);
    out.l_len = r->end >= kEnd ? 0 : static_cast<off_t>(r->end - r->start + 1);
    out.l_pid = static_cast<pid_t>(r->pid);
  }
  fuse_reply_lock(req, &out);
}

void ElkFuse::Setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock,
                    int sleep) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EINVAL);
  proto::CltomaLock m{.msgid = 0,
                      .inode = ToMaster(ino),
                      .owner = fi->lock_owner,
                      .kind = proto::LockKind::kPosix,
                      .type = TypeOf(lock->l_type),
                      .start = static_cast<uint64_t>(lock->l_start),
                      .end = EndOf(*lock),
                      .pid = static_cast<uint32_t>(lock->l_pid),
                      .wait_id = 0,
                      .flags = 0};
  SendLock(req, m, sleep != 0);
}

void ElkFuse::Flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EINVAL);
  const int what = op & (LOCK_SH | LOCK_EX | LOCK_UN);
  const proto::LockType type = what == LOCK_SH   ? proto::LockType::kShared
                               : what == LOCK_EX ? proto::LockType::kExclusive
                                                 : proto::LockType::kUnlock;
  proto::CltomaLock m{.msgid = 0,
                      .inode = ToMaster(ino),
                      .owner = fi->lock_owner,
                      .kind = proto::LockKind::kFlock,
                      .type = type,
                      .start = 0,
                      .end = kEnd,
                      .pid = static_cast<uint32_t>(fuse_req_ctx(req)->pid),
                      .wait_id = 0,
                      .flags = 0};
  SendLock(req, m, (op & LOCK_NB) == 0);
}

void ElkFuse::ReleaseLocks(uint32_t inode, uint64_t owner, proto::LockKind kind) {
  Status s = session_.ReleaseLocks(inode, owner, kind);
  if (!s.ok()) log::Warning("locks of inode {} not released: {}", inode, s.ToString());
}

void ElkFuse::StopLockWaits() {
  // Every wait still running is cancelled at the master, so its thread replies and ends.
  std::set<uint64_t> waiting;
  {
    std::lock_guard lock(waits_mu_);
    waiting = active_waits_;
  }
  for (uint64_t id : waiting)
    (void)session_.CancelLockWait(id);
  lock_waits_.WaitAll();
}

}  // namespace elk::mount
