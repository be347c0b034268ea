#pragma once
// mfsmount's file system: the FUSE3 low-level operations over libelkclient (docs/client.md).
// Inodes are the master's, except that the mounted folder is FUSE's root (1) - the two
// numbers are swapped - and the hidden `.masterinfo` of the root has an inode outside the
// master's 32-bit range. Writes go behind per open file (write_behind.h) and are drained at
// flush, fsync, release, and before a read, getattr or truncate of the same inode.

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "mount/fuse/capability_cache.h"
#include "mount/fuse/groups_cache.h"
#include "mount/fuse/lock_waits.h"
#include "mount/fuse/page_cache_policy.h"
#include "mount/fuse/write_behind.h"

namespace elk::mount {

struct FuseOptions {
  double attr_timeout = 1.0;                // mfsattrcacheto
  double entry_timeout = 1.0;               // mfsentrycacheto
  double negentry_timeout = 0.0;            // mfsnegentrycacheto: 0 caches no "no such name"
  CacheMode cache_mode = CacheMode::kAuto;  // mfscachemode
  uint32_t readahead = 1u << 20;            // mfsreadaheadsize, the kernel's cap
  size_t write_buffer = 8u << 20;           // bytes per write-behind piece of an open file
};

class ElkFuse {
 public:
  ElkFuse(client::MasterSession& session, client::ChunkIo& io, FuseOptions options)
      : session_(session),
        io_(io),
        options_(std::move(options)),
        page_cache_(options_.cache_mode),
        capabilities_(std::chrono::duration_cast<CapabilityCache::Clock::duration>(
            std::chrono::duration<double>(options_.attr_timeout))) {}

  // The operation table; userdata must be this object.
  static const fuse_lowlevel_ops& Ops();
  // The FUSE session serving this object, set before its loop starts: a granted lock drops
  // the kernel's cached pages and attributes of the file through it.
  void AttachSession(fuse_session* se) { fuse_session_.store(se); }

  // Handlers (public so the C trampolines can call them).
  void Init(fuse_conn_info* conn);
  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Getattr(fuse_req_t req, fuse_ino_t ino);
  void Setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
  // fallocate(2): mode 0 grows the file (sparse: chunks are allocated as they are
  // written, so space is not reserved), PUNCH_HOLE (with KEEP_SIZE) and ZERO_RANGE zero a
  // range - whole chunks are dropped at the master, the edges written as zeros.
  void Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info* fi);
  void Readlink(fuse_req_t req, fuse_ino_t ino);
  void Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
  void Mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Rmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name);
  void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags);
  void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
  void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void Write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
             fuse_file_info* fi);
  void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
  // Folders and statfs (dir_ops.cc).
  void Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void Releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Statfs(fuse_req_t req, fuse_ino_t ino);
  // Extended attributes (xattr_ops.cc).
  void Getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
  void Setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags);
  void Listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
  void Removexattr(fuse_req_t req, fuse_ino_t ino, const char* name);
  // File locks, kept by the master for every mount (lock_ops.cc, docs/locks.md).
  void Getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock);
  void Setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep);
  void Flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op);
  // A FUSE interrupt of a waiting lock request.
  void CancelLockWait(uint64_t wait_id);
  // Before the FUSE session goes: every lock wait cancelled and its thread finished.
  void StopLockWaits();

  static constexpr fuse_ino_t kMasterInfoIno = 0x100000001ULL;
  static constexpr const char* kMasterInfoName = ".masterinfo";

 private:
  struct OpenFile {
    uint32_t inode = 0;
    // Opened for writing: a setattr that comes with this descriptor (ftruncate) is judged
    // by that, not by the file's mode now.
    bool writable = false;
    // Opened O_SYNC or O_DSYNC: every write returns once it is on the chunkservers' disks.
    bool sync_writes = false;
    std::mutex mu;
    // Shared by every descriptor of the file in this mount: one writer per file here, so
    // processes writing one file do not take its chunks' locks from each other.
    std::shared_ptr<WriteBehind> writes;
  };
  // A new descriptor of inode, sharing the file's write-behind (made at its first open);
  // Untrack forgets and frees it.
  OpenFile* Track(uint32_t inode);
  // Was the descriptor behind a request opened for writing? (fi is null for calls by name.)
  static bool OpenedForWriting(const fuse_file_info* fi);
  void Untrack(OpenFile* file);
  void ForgetUnrepliedOpen(OpenFile* file);
  struct DirHandle {
    std::vector<std::pair<std::string, struct stat>> entries;
  };

  uint32_t ToMaster(fuse_ino_t ino) const;
  fuse_ino_t ToFuse(uint32_t inode) const;
  struct stat ToStat(const protocol::Attr& a) const;
  fuse_entry_param ToEntry(const protocol::Attr& a) const;
  std::string MasterInfoText() const;
  struct stat MasterInfoStat() const;
  protocol::Creds CredsOf(fuse_req_t req) const;
  Status FlushFile(OpenFile& f);  // f.mu held
  // FlushFile, then every chunk the file wrote synced on each copy's disk (fsync). f.mu held.
  Status SyncFile(OpenFile& f);
  Status FlushInode(uint32_t inode);
  // `since` is WriteBehind::Now() taken before the master was asked: the length is this
  // mount's if its writes have grown the file past the master's answer.
  void ReplyEntry(fuse_req_t req, const Result<protocol::Attr>& a, uint64_t since);
  protocol::Attr WithOwnWrites(protocol::Attr a, uint64_t since);
  void ReplyNewEntry(fuse_req_t req, const Result<protocol::Attr>& a);  // a node made just now
  // A lock request, on a LockWaits thread when it may wait.
  void SendLock(fuse_req_t req, protocol::CltomaLock m, bool wait);
  void ReleaseLocks(uint32_t inode, uint64_t owner, protocol::LockKind kind);
  // After a lock is granted: what this mount and its kernel cached of the file (pages,
  // attributes, chunk locations) may predate another mount's writes under the lock.
  void DropCachedFile(uint32_t inode);

  client::MasterSession& session_;
  client::ChunkIo& io_;
  FuseOptions options_;
  PageCachePolicy page_cache_;
  CapabilityCache capabilities_;  // answers the kernel's getxattr before each write
  std::mutex open_mu_;
  std::map<uint32_t, std::set<OpenFile*>> open_;
  std::map<uint32_t, std::weak_ptr<WriteBehind>> writers_;
  mutable GroupsCache groups_;
  LockWaits lock_waits_{256};
  std::atomic<uint64_t> next_wait_id_{1};
  std::mutex waits_mu_;
  std::set<uint64_t> active_waits_;  // wait ids of requests waiting now
  std::atomic<fuse_session*> fuse_session_{nullptr};
};

}  // namespace elk::mount
