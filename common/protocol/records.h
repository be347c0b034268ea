#pragma once
// Records nested in messages of several links. Layouts use MooseFS's notation: name:bits,
// strings and blobs are u32 length + bytes, lists are u32 count + items.

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/fields.h"

namespace elk::protocol {

// What a node is. kLast bounds the decoder: larger values are refused.
enum class NodeType : uint8_t {
  kFile = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kBlockDevice = 5,
  kCharDevice = 6,
  kSocket = 7,
  kLast,
};

// inode:32 type:8 mode:16 uid:32 gid:32 atime:s64 mtime:s64 ctime:s64 nlink:32 length:64
// goal:8 trashtime:32 rdev:32  (60 bytes)
// Times are signed nanoseconds since the epoch (common/file_time.h). rdev: a device's
// number in Linux's 32-bit form (minor & 0xff | major << 8 | (minor & ~0xff) << 12: major
// up to 4095, minor up to 2^20 - 1), 0 for other nodes.
struct Attr {
  uint32_t inode = 0;
  NodeType type = NodeType::kFile;
  uint16_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t atime = 0;
  int64_t mtime = 0;
  int64_t ctime = 0;
  uint32_t nlink = 0;
  uint64_t length = 0;
  uint8_t goal = 0;
  uint32_t trashtime = 0;
  uint32_t rdev = 0;
  ELK_FIELDS(inode, type, mode, uid, gid, atime, mtime, ctime, nlink, length, goal, trashtime, rdev)
};

// Who asks: uid:32 gid:32 groups:(count:32 gid:32...)
struct Creds {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // supplementary groups
  ELK_FIELDS(uid, gid, groups)
};

// File locks (docs/locks.md). POSIX record locks (fcntl) and flock(2) locks are two
// separate sets, as Linux keeps them: one never conflicts with the other.
enum class LockKind : uint8_t {
  kPosix = 0,
  kFlock = 1,
  kLast,
};

enum class LockType : uint8_t {
  kUnlock = 0,
  kShared = 1,     // F_RDLCK, LOCK_SH
  kExclusive = 2,  // F_WRLCK, LOCK_EX
  kLast,
};

// One lock a client holds: inode:32 owner:64 kind:8 type:8 start:64 end:64 pid:32
// owner: FUSE's lock owner (a POSIX owner is a process's file table, a flock owner an open
// file description); [start, end] inclusive, a flock always [0, 2^63 - 1].
struct HeldLock {
  uint32_t inode = 0;
  uint64_t owner = 0;
  LockKind kind = LockKind::kPosix;
  LockType type = LockType::kShared;
  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t pid = 0;
  ELK_FIELDS(inode, owner, kind, type, start, end, pid)
};

// A chunkserver address: ip:32 port:16
struct ServerAddr {
  uint32_t ip = 0;  // IPv4, host order
  uint16_t port = 0;
  ELK_FIELDS(ip, port)
};

// chunkid:64 version:32
struct ChunkVersion {
  uint64_t chunkid = 0;
  uint32_t version = 0;
  bool on_marked_disk = false;  // the copy is on a disk marked `*` (being emptied)
  ELK_FIELDS(chunkid, version, on_marked_disk)
};

// Where a chunk lives: chunkid:64 version:32 file_length:64 copies:(count:32 ServerAddr...)
// For a write, `copies` is the chain in the order the client must use.
struct ChunkLocation {
  uint64_t chunkid = 0;
  uint32_t version = 0;
  uint64_t file_length = 0;
  std::vector<ServerAddr> copies;
  ELK_FIELDS(chunkid, version, file_length, copies)
};

}  // namespace elk::protocol
