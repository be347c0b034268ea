#pragma once
// The vocabulary of the master's namespace: ids, node types, credentials and the
// plain structs that operations take and return.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/file_limits.h"
#include "common/file_time.h"

namespace elk::master {

using InodeId = uint32_t;
using ChunkId = uint64_t;  // 0 means "hole": no chunk at that index

inline constexpr InodeId kRootInode = 1;
inline constexpr size_t kMaxNameLength = 255;
// The longest restore path a client may give a trash item (Linux's PATH_MAX). Paths the
// master builds itself when a file goes to trash are as long as its folders are deep.
inline constexpr size_t kMaxTrashPathLength = 4096;
inline constexpr size_t kMaxXattrNameLength = 255;
inline constexpr size_t kMaxXattrValueLength = 64 * 1024;
// Per node: the names' list (each name and its NUL, as listxattr(2) returns it) fits
// Linux's XATTR_LIST_MAX, and all values together stay small enough for one image record
// and one reply; past either, setxattr answers kNoSpace (ENOSPC), as a full ext4 block does.
inline constexpr size_t kMaxXattrNamesBytes = 64 * 1024;
inline constexpr size_t kMaxXattrValuesBytes = 1024 * 1024;
inline constexpr uint8_t kMinGoal = 1;
inline constexpr uint8_t kMaxGoal = 9;
inline constexpr uint8_t kDefaultGoal = 2;
inline constexpr uint32_t kDefaultTrashTime = 86400;

// Permission and special bits, as in <sys/stat.h> (kept here so the namespace does not
// depend on the host's headers for its on-wire meaning).
inline constexpr uint16_t kModeSetUid = 04000;
inline constexpr uint16_t kModeSetGid = 02000;
inline constexpr uint16_t kModeSticky = 01000;
inline constexpr uint16_t kModeMask = 07777;

enum class NodeType : uint8_t {
  kNone = 0,  // a free slot
  kFile = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kSocket = 5,
  kBlockDev = 6,
  kCharDev = 7,
};

// Who is asking. Root (uid 0) bypasses permission checks as POSIX says.
struct Cred {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // supplementary groups
  // The export's ignoregid: the master cannot see every group of the user (the mount
  // sends a capped list), so a non-owner gets the group and the other bits together and
  // the mount's kernel check, which knows all groups, decides (docs/permissions.md).
  bool ignoregid = false;

  bool IsRoot() const { return uid == 0; }
  bool InGroup(uint32_t g) const;
};

// Access-check mask bits, as R_OK/W_OK/X_OK.
inline constexpr uint8_t kMayRead = 4;
inline constexpr uint8_t kMayWrite = 2;
inline constexpr uint8_t kMayExec = 1;

// What an open of a file was granted (Namespace::Open): the session may then read, or
// write, the file's chunks. The values are the changelog's and the image's.
inline constexpr uint8_t kOpenedRead = 1;
inline constexpr uint8_t kOpenedWrite = 2;
inline constexpr uint8_t kOpenedAny = kOpenedRead | kOpenedWrite;

// One file a session holds open (Namespace::TrimmedOpens, SetOpens): its descriptors and the
// modes (kOpenedRead | kOpenedWrite) they were granted.
struct SessionOpen {
  InodeId inode = 0;
  uint32_t count = 0;
  uint8_t mode = 0;
};

struct Attr {
  InodeId inode = 0;
  NodeType type = NodeType::kNone;
  uint16_t mode = 0;  // permission and special bits only (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  FileTime atime = 0;  // nanoseconds since the epoch (common/file_time.h)
  FileTime mtime = 0;
  FileTime ctime = 0;
  uint32_t nlink = 0;
  uint64_t length = 0;
  uint32_t rdev = 0;
  uint8_t goal = 0;
  uint32_t trashtime = 0;
};

enum class TimeSet : uint8_t { kOmit, kNow, kValue };

struct SetAttrRequest {
  std::optional<uint16_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  TimeSet atime_how = TimeSet::kOmit;
  FileTime atime = 0;  // nanoseconds since the epoch, for kValue
  TimeSet mtime_how = TimeSet::kOmit;
  FileTime mtime = 0;
  std::optional<uint64_t> length;
  // The caller acts through a descriptor it opened for writing: the length may change
  // whatever the mode says now (ftruncate of a file created with mode 0).
  bool open_for_write = false;
};

struct SetAttrResult {
  Attr attr;
  std::vector<ChunkId> released;  // chunk ids whose reference this file dropped (truncate)
};

enum class RenameFlags : uint8_t { kNone, kNoReplace, kExchange };
enum class XattrFlags : uint8_t { kAny, kCreate, kReplace };
// How a goal or trash time is applied: always, only upwards, only downwards
// (mfssetgoal N, N+, N-).
enum class SetMode : uint8_t { kSet, kIncrease, kDecrease };

struct DirEntry {
  std::string name;
  InodeId inode = 0;
  NodeType type = NodeType::kNone;
  uint64_t next_cookie = 0;  // pass back to continue after this entry
};

struct StatFs {
  uint64_t files = 0;  // every node that is not a directory
  uint64_t dirs = 0;
  uint64_t total_length = 0;
  uint64_t trash_files = 0;
  uint64_t trash_length = 0;
  uint64_t reserved_files = 0;
  uint64_t reserved_length = 0;
};

// A walk of a tree that can stop and resume (the server runs recursive requests in slices
// between other clients' requests): the inode ids still to visit. Ids, not pointers, so a
// node removed meanwhile is simply skipped (Namespace::WalkSome).
struct TreeWalk {
  InodeId top = 0;
  std::vector<InodeId> pending;  // a stack: the next id to visit is at the back
  explicit TreeWalk(InodeId from = 0) : top(from), pending{from} {}
  bool done() const { return pending.empty(); }
};

// What `mfssetgoal -r` and `mfssettrashtime -r` print.
struct RecursiveSetCounts {
  uint64_t changed = 0;
  uint64_t not_changed = 0;
  uint64_t not_permitted = 0;
  RecursiveSetCounts& operator+=(const RecursiveSetCounts& o) {
    changed += o.changed;
    not_changed += o.not_changed;
    not_permitted += o.not_permitted;
    return *this;
  }
};

// What `mfsgetgoal -r` prints: for each value, how many files and directories have it.
struct ValueSummary {
  struct Counts {
    uint64_t files = 0;
    uint64_t dirs = 0;
  };
  std::map<uint32_t, Counts> by_value;
};

// What `mfsdirinfo` prints. files: regular files; chunks: the chunks files really have
// (not holes); size: what chunkservers store of those chunks (common/stored_size.h);
// realsize: that size times the file's goal. A file linked twice in the tree counts twice,
// as in MooseFS.
struct DirInfo {
  uint64_t inodes = 0;
  uint64_t dirs = 0;
  uint64_t files = 0;
  uint64_t chunks = 0;
  uint64_t length = 0;
  uint64_t size = 0;
  uint64_t realsize = 0;
};

struct DetachedItem {  // a trash or reserved entry, for the meta file system
  InodeId inode = 0;
  std::string path;
  uint32_t expires = 0;  // trash only
};

}  // namespace elk::master
