#pragma once
// Client to master (CLTOMA_*). Every request starts with msgid:32, echoed in its reply so
// a client can keep many requests in flight on one session. A request answers with its
// MATOCL_* reply on success, or MATOCL_STATUS (msgid, status) on failure and for requests
// that return nothing (unlink, rmdir, rename, write-chunk-end, snapshot, append-chunks).
// Layouts: name:bits; strings and lists are u32 length/count + items; Creds is
// uid:32 gid:32 groups:(count:32 gid:32...).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"

namespace elk::protocol {

// CLTOMA_GET_CHALLENGE: msgid:32
// Asks for a random challenge before registering with a password.
struct CltomaGetChallenge {
  static constexpr uint32_t kType = CLTOMA_GET_CHALLENGE;
  uint32_t msgid = 0;
  ELK_FIELDS(msgid)
};

// CLTOMA_REGISTER_SESSION: msgid:32 export_path:str password_response:blob session_id:32
// password_response is HMAC-SHA256(password, challenge), empty without a password;
// session_id 0 opens a new session, else reconnects to that one.
struct CltomaRegisterSession {
  static constexpr uint32_t kType = CLTOMA_REGISTER_SESSION;
  uint32_t msgid = 0;
  std::string export_path;
  std::vector<uint8_t> password_response;
  uint32_t session_id = 0;
  ELK_FIELDS(msgid, export_path, password_response, session_id)
};

// CLTOMA_LOOKUP: msgid:32 parent:32 name:str creds:Creds
struct CltomaLookup {
  static constexpr uint32_t kType = CLTOMA_LOOKUP;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  Creds creds;
  ELK_FIELDS(msgid, parent, name, creds)
};

// CLTOMA_GETATTR: msgid:32 inode:32 creds:Creds
struct CltomaGetattr {
  static constexpr uint32_t kType = CLTOMA_GETATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  Creds creds;
  ELK_FIELDS(msgid, inode, creds)
};

// CLTOMA_SETATTR: msgid:32 inode:32 creds:Creds mode:opt16 uid:opt32 gid:opt32 atime:opts64
// mtime:opts64 length:opt64 flags:8   (optN: present:8, then the value when present = 1;
// only present attributes change; times are signed nanoseconds since the epoch; length
// truncates or extends; flags below)
struct CltomaSetattr {
  static constexpr uint32_t kType = CLTOMA_SETATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  Creds creds;
  std::optional<uint16_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<int64_t> atime;
  std::optional<int64_t> mtime;
  std::optional<uint64_t> length;
  uint8_t flags = 0;  // kSetattr*: how the caller asks, beyond the values
  ELK_FIELDS(msgid, inode, creds, mode, uid, gid, atime, mtime, length, flags)
};
// CLTOMA_SETATTR flags. The *Now flags set that time to the master's clock (utimensat's
// UTIME_NOW, which a writer may ask; an explicit value is the owner's alone), the value
// field unused. kSetattrOpenForWrite: the request comes with a descriptor opened for
// writing, which allows a length change whatever the file's mode is now.
inline constexpr uint8_t kSetattrAtimeNow = 1;
inline constexpr uint8_t kSetattrMtimeNow = 2;
inline constexpr uint8_t kSetattrOpenForWrite = 4;

// CLTOMA_MKNOD: msgid:32 parent:32 name:str type:8 mode:16 umask:16 rdev:32 creds:Creds
struct CltomaMknod {
  static constexpr uint32_t kType = CLTOMA_MKNOD;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  NodeType type = NodeType::kFile;
  uint16_t mode = 0;
  uint16_t umask = 0;
  uint32_t rdev = 0;
  Creds creds;
  ELK_FIELDS(msgid, parent, name, type, mode, umask, rdev, creds)
};

// CLTOMA_CREATE: msgid:32 parent:32 name:str mode:16 umask:16 creds:Creds open:8
// A regular file, created (and, asked to, opened) in one round trip.
struct CltomaCreate {
  static constexpr uint32_t kType = CLTOMA_CREATE;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  uint16_t mode = 0;
  uint16_t umask = 0;
  Creds creds;
  // 1: the new file is also opened for this session (FUSE's create); CLTOMA_RELEASE
  // closes it. 0 (tools, volumes): created only.
  uint8_t open = 0;
  ELK_FIELDS(msgid, parent, name, mode, umask, creds, open)
};

// CLTOMA_MKDIR: msgid:32 parent:32 name:str mode:16 umask:16 creds:Creds
struct CltomaMkdir {
  static constexpr uint32_t kType = CLTOMA_MKDIR;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  uint16_t mode = 0;
  uint16_t umask = 0;
  Creds creds;
  // 1: the new file is also opened for this session (FUSE's create); CLTOMA_RELEASE
  // closes it. 0 (tools, volumes): created only.
  uint8_t open = 0;
  ELK_FIELDS(msgid, parent, name, mode, umask, creds, open)
};

// CLTOMA_UNLINK: msgid:32 parent:32 name:str creds:Creds
struct CltomaUnlink {
  static constexpr uint32_t kType = CLTOMA_UNLINK;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  Creds creds;
  ELK_FIELDS(msgid, parent, name, creds)
};

// CLTOMA_RMDIR: msgid:32 parent:32 name:str creds:Creds
struct CltomaRmdir {
  static constexpr uint32_t kType = CLTOMA_RMDIR;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  Creds creds;
  ELK_FIELDS(msgid, parent, name, creds)
};

// renameat2's flags: replace an existing target (plain rename), refuse one (EEXIST), or
// swap the two names atomically.
enum class RenameMode : uint8_t { kReplace = 0, kNoReplace = 1, kExchange = 2, kLast };

// CLTOMA_RENAME: msgid:32 src_parent:32 src_name:str dst_parent:32 dst_name:str
// creds:Creds mode:8
struct CltomaRename {
  static constexpr uint32_t kType = CLTOMA_RENAME;
  uint32_t msgid = 0;
  uint32_t src_parent = 0;
  std::string src_name;
  uint32_t dst_parent = 0;
  std::string dst_name;
  Creds creds;
  RenameMode mode = RenameMode::kReplace;
  ELK_FIELDS(msgid, src_parent, src_name, dst_parent, dst_name, creds, mode)
};

// CLTOMA_LINK: msgid:32 inode:32 dst_parent:32 dst_name:str creds:Creds
struct CltomaLink {
  static constexpr uint32_t kType = CLTOMA_LINK;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t dst_parent = 0;
  std::string dst_name;
  Creds creds;
  ELK_FIELDS(msgid, inode, dst_parent, dst_name, creds)
};

// CLTOMA_SYMLINK: msgid:32 parent:32 name:str target:str creds:Creds
struct CltomaSymlink {
  static constexpr uint32_t kType = CLTOMA_SYMLINK;
  uint32_t msgid = 0;
  uint32_t parent = 0;
  std::string name;
  std::string target;
  Creds creds;
  ELK_FIELDS(msgid, parent, name, target, creds)
};

// CLTOMA_READLINK: msgid:32 inode:32
struct CltomaReadlink {
  static constexpr uint32_t kType = CLTOMA_READLINK;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// CLTOMA_READDIR: msgid:32 inode:32 creds:Creds cookie:64 max_entries:32
// cookie 0 starts at the beginning; MATOCL_READDIR returns the next one.
struct CltomaReaddir {
  static constexpr uint32_t kType = CLTOMA_READDIR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  Creds creds;
  uint64_t cookie = 0;
  uint32_t max_entries = 0;
  ELK_FIELDS(msgid, inode, creds, cookie, max_entries)
};

// CLTOMA_STATFS: msgid:32
struct CltomaStatfs {
  static constexpr uint32_t kType = CLTOMA_STATFS;
  uint32_t msgid = 0;
  ELK_FIELDS(msgid)
};

// Bits of CltomaOpen::flags.
enum OpenFlags : uint8_t { kOpenRead = 1, kOpenWrite = 2, kOpenTruncate = 4 };

// CLTOMA_OPEN: msgid:32 inode:32 flags:8 creds:Creds
struct CltomaOpen {
  static constexpr uint32_t kType = CLTOMA_OPEN;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint8_t flags = 0;
  Creds creds;
  ELK_FIELDS(msgid, inode, flags, creds)
};

// CLTOMA_READ_CHUNK: msgid:32 inode:32 chunk_index:32
// Where to read chunk `chunk_index` (64 MiB units) of a file.
struct CltomaReadChunk {
  static constexpr uint32_t kType = CLTOMA_READ_CHUNK;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t chunk_index = 0;
  ELK_FIELDS(msgid, inode, chunk_index)
};

// CLTOMA_WRITE_CHUNK: msgid:32 inode:32 chunk_index:32
// Locks the chunk for writing (creating or duplicating it if needed) and returns the chain.
struct CltomaWriteChunk {
  static constexpr uint32_t kType = CLTOMA_WRITE_CHUNK;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t chunk_index = 0;
  ELK_FIELDS(msgid, inode, chunk_index)
};

// CLTOMA_WRITE_CHUNK_END: msgid:32 chunkid:64 inode:32 file_length:64
// Unlocks the chunk and sets the file's length.
struct CltomaWriteChunkEnd {
  static constexpr uint32_t kType = CLTOMA_WRITE_CHUNK_END;
  uint32_t msgid = 0;
  uint64_t chunkid = 0;
  uint32_t inode = 0;
  uint64_t file_length = 0;
  ELK_FIELDS(msgid, chunkid, inode, file_length)
};

// CLTOMA_CHUNK_INFO: msgid:32 inode:32 chunk_index:32
// For mfsfileinfo/mfscheckfile: every copy of one chunk, valid or not.
struct CltomaChunkInfo {
  static constexpr uint32_t kType = CLTOMA_CHUNK_INFO;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t chunk_index = 0;
  ELK_FIELDS(msgid, inode, chunk_index)
};

// CLTOMA_CHUNK_LIST: msgid:32 inode:32 first_index:32
// For mfsfileinfo/mfscheckfile on sparse files: the chunks the file has from first_index
// on, holes skipped, one bounded page per request (MATOCL_CHUNK_LIST says where to go on).
struct CltomaChunkList {
  static constexpr uint32_t kType = CLTOMA_CHUNK_LIST;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t first_index = 0;
  ELK_FIELDS(msgid, inode, first_index)
};

// CLTOMA_GETGOAL: msgid:32 inode:32 recursive:8 creds:Creds
struct CltomaGetgoal {
  static constexpr uint32_t kType = CLTOMA_GETGOAL;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  bool recursive = false;
  Creds creds;
  ELK_FIELDS(msgid, inode, recursive, creds)
};

// How SETGOAL/SETTRASHTIME apply their value (mfssetgoal N, N+ or N-).
enum class SetMode : uint8_t { kSet = 0, kIncrease = 1, kDecrease = 2, kLast };

// CLTOMA_SETGOAL: msgid:32 inode:32 goal:8 mode:8 recursive:8 creds:Creds
struct CltomaSetgoal {
  static constexpr uint32_t kType = CLTOMA_SETGOAL;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint8_t goal = 0;
  SetMode mode = SetMode::kSet;
  bool recursive = false;
  Creds creds;
  ELK_FIELDS(msgid, inode, goal, mode, recursive, creds)
};

// CLTOMA_GETTRASHTIME: msgid:32 inode:32 recursive:8 creds:Creds
struct CltomaGettrashtime {
  static constexpr uint32_t kType = CLTOMA_GETTRASHTIME;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  bool recursive = false;
  Creds creds;
  ELK_FIELDS(msgid, inode, recursive, creds)
};

// CLTOMA_SETTRASHTIME: msgid:32 inode:32 trashtime:32 mode:8 recursive:8 creds:Creds
struct CltomaSettrashtime {
  static constexpr uint32_t kType = CLTOMA_SETTRASHTIME;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t trashtime = 0;
  SetMode mode = SetMode::kSet;
  bool recursive = false;
  Creds creds;
  ELK_FIELDS(msgid, inode, trashtime, mode, recursive, creds)
};

// CLTOMA_GETDIRSTATS: msgid:32 inode:32
// For mfsdirinfo: the master sums the tree under inode (a sliced tree job). Optional: a
// master that predates it refuses the type and the tool walks the tree itself.
struct CltomaGetdirstats {
  static constexpr uint32_t kType = CLTOMA_GETDIRSTATS;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// CLTOMA_PATHS: msgid:32 inode:32
// For mfsfilepaths: every path of a node, relative to the session's folder.
struct CltomaPaths {
  static constexpr uint32_t kType = CLTOMA_PATHS;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// CLTOMA_SNAPSHOT: msgid:32 src_inode:32 dst_parent:32 dst_name:str overwrite:8 creds:Creds
struct CltomaSnapshot {
  static constexpr uint32_t kType = CLTOMA_SNAPSHOT;
  uint32_t msgid = 0;
  uint32_t src_inode = 0;
  uint32_t dst_parent = 0;
  std::string dst_name;
  bool overwrite = false;
  Creds creds;
  ELK_FIELDS(msgid, src_inode, dst_parent, dst_name, overwrite, creds)
};

// CLTOMA_APPEND_CHUNKS: msgid:32 dst_inode:32 src_inode:32 creds:Creds
// Appends src's chunks (shared, not copied) to dst.
struct CltomaAppendChunks {
  static constexpr uint32_t kType = CLTOMA_APPEND_CHUNKS;
  uint32_t msgid = 0;
  uint32_t dst_inode = 0;
  uint32_t src_inode = 0;
  Creds creds;
  ELK_FIELDS(msgid, dst_inode, src_inode, creds)
};

// Extended attributes (Linux's: a name of at most 255 bytes, a value of at most 64 KiB).
enum class XattrMode : uint8_t { kAny = 0, kCreate = 1, kReplace = 2, kLast };

// CLTOMA_GETXATTR: msgid:32 inode:32 name:str creds:Creds   -> MATOCL_GETXATTR
struct CltomaGetxattr {
  static constexpr uint32_t kType = CLTOMA_GETXATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  std::string name;
  Creds creds;
  ELK_FIELDS(msgid, inode, name, creds)
};

// CLTOMA_SETXATTR: msgid:32 inode:32 name:str value:str mode:8 creds:Creds  -> MATOCL_STATUS
struct CltomaSetxattr {
  static constexpr uint32_t kType = CLTOMA_SETXATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  std::string name;
  std::string value;
  XattrMode mode = XattrMode::kAny;
  Creds creds;
  ELK_FIELDS(msgid, inode, name, value, mode, creds)
};

// CLTOMA_LISTXATTR: msgid:32 inode:32 creds:Creds   -> MATOCL_LISTXATTR
struct CltomaListxattr {
  static constexpr uint32_t kType = CLTOMA_LISTXATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  Creds creds;
  ELK_FIELDS(msgid, inode, creds)
};

// CLTOMA_REMOVEXATTR: msgid:32 inode:32 name:str creds:Creds  -> MATOCL_STATUS
struct CltomaRemovexattr {
  static constexpr uint32_t kType = CLTOMA_REMOVEXATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  std::string name;
  Creds creds;
  ELK_FIELDS(msgid, inode, name, creds)
};

// CLTOMA_PUNCH_CHUNKS: msgid:32 inode:32 first_index:32 count:32 creds:Creds
// Drops chunks [first_index, first_index + count) of a file: holes that read as zeros, the
// length unchanged (a block device's UNMAP). Answered by MATOCL_STATUS.
struct CltomaPunchChunks {
  static constexpr uint32_t kType = CLTOMA_PUNCH_CHUNKS;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint32_t first_index = 0;
  uint32_t count = 0;
  Creds creds;
  ELK_FIELDS(msgid, inode, first_index, count, creds)
};

// CLTOMA_REPAIR: msgid:32 inode:32 creds:Creds   (mfsfilerepair) -> MATOCL_REPAIR
// Each chunk of the file without a valid copy takes the newest older version a chunkserver
// holds, or becomes a hole (zeros) when none does.
struct CltomaRepair {
  static constexpr uint32_t kType = CLTOMA_REPAIR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  Creds creds;
  ELK_FIELDS(msgid, inode, creds)
};

// Which detached files CLTOMA_LIST_DETACHED lists.
enum class DetachedKind : uint8_t { kTrash = 0, kReserved = 1, kLast };

// CLTOMA_LIST_DETACHED: msgid:32 kind:8   (meta sessions only; MATOCL_LIST_DETACHED)
struct CltomaListDetached {
  static constexpr uint32_t kType = CLTOMA_LIST_DETACHED;
  uint32_t msgid = 0;
  DetachedKind kind = DetachedKind::kTrash;
  ELK_FIELDS(msgid, kind)
};

// CLTOMA_UNDELETE: msgid:32 inode:32   (meta sessions only: trash/undel; MATOCL_STATUS)
struct CltomaUndelete {
  static constexpr uint32_t kType = CLTOMA_UNDELETE;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// CLTOMA_PURGE: msgid:32 inode:32   (meta sessions only: unlink in trash/; MATOCL_STATUS)
struct CltomaPurge {
  static constexpr uint32_t kType = CLTOMA_PURGE;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// CLTOMA_DETACHED_ATTR: msgid:32 inode:32 kind:8   (meta sessions only; MATOCL_DETACHED_ATTR)
// One trash or reserved item by its inode: what a lookup, getattr or open in trash/ (or
// reserved/) needs, without listing the rest. kNoEnt when it is not an item of that kind.
struct CltomaDetachedAttr {
  static constexpr uint32_t kType = CLTOMA_DETACHED_ATTR;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  DetachedKind kind = DetachedKind::kTrash;
  ELK_FIELDS(msgid, inode, kind)
};

// CLTOMA_SET_TRASH_PATH: msgid:32 inode:32 path:str   (meta sessions only; MATOCL_STATUS)
// Where undelete will put a trash item (a file's content written in the meta mount, as
// MooseFS's SETTRASHPATH). The master checks and normalizes it (kInval for an empty
// component, "." or "..", a name over 255 bytes or a path over 4096).
struct CltomaSetTrashPath {
  static constexpr uint32_t kType = CLTOMA_SET_TRASH_PATH;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  std::string path;
  ELK_FIELDS(msgid, inode, path)
};

// CLTOMA_RELEASE: msgid:32 inode:32   (MATOCL_STATUS) A descriptor that CLTOMA_OPEN or
// CLTOMA_CREATE opened for this session is closed: the master holds a file unlinked while
// open (reserved) until the last one.
struct CltomaRelease {
  static constexpr uint32_t kType = CLTOMA_RELEASE;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  ELK_FIELDS(msgid, inode)
};

// One file of a session's account of its opens: inode:32 count:32 mode:8 (kOpenRead |
// kOpenWrite: what its descriptors were granted).
struct OpenedFile {
  uint32_t inode = 0;
  uint32_t count = 0;
  uint8_t mode = 0;
  ELK_FIELDS(inode, count, mode)
};

// CLTOMA_SESSION_OPENS: msgid:32 files:(count:32 OpenedFile...)   (MATOCL_STATUS)
// Sent by a client that resumed its session after a lost connection, before any other
// request: what it holds open by its own account. The master trims the session's open
// counts to it (never raises them), so an OPEN applied but unanswered, or a RELEASE lost
// on the way, leaves no count behind (docs/client.md).
struct CltomaSessionOpens {
  static constexpr uint32_t kType = CLTOMA_SESSION_OPENS;
  uint32_t msgid = 0;
  std::vector<OpenedFile> files;
  ELK_FIELDS(msgid, files)
};

// ---- File locks (docs/locks.md), protocol 5 ----

// CLTOMA_LOCK: msgid:32 inode:32 owner:64 kind:8 type:8 start:64 end:64 pid:32 wait_id:64
// flags:8   (MATOCL_STATUS)
// Takes, changes or drops (type kUnlock) a lock of `owner`. Without kLockWait a conflict
// answers kAgain; with it the master answers when the lock is granted, kDeadlock when
// waiting would close a cycle of POSIX waiters, kInterrupted when CLTOMA_LOCK_CANCEL names
// `wait_id` (unique within the session). A flock is taken over [0, 2^63 - 1].
inline constexpr uint8_t kLockWait = 1;
struct CltomaLock {
  static constexpr uint32_t kType = CLTOMA_LOCK;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint64_t owner = 0;
  LockKind kind = LockKind::kPosix;
  LockType type = LockType::kUnlock;
  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t pid = 0;
  uint64_t wait_id = 0;
  uint8_t flags = 0;
  ELK_FIELDS(msgid, inode, owner, kind, type, start, end, pid, wait_id, flags)
};

// CLTOMA_LOCK_TEST: msgid:32 inode:32 owner:64 type:8 start:64 end:64   (MATOCL_LOCK_TEST)
// F_GETLK: the first POSIX lock of another owner that would conflict.
struct CltomaLockTest {
  static constexpr uint32_t kType = CLTOMA_LOCK_TEST;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint64_t owner = 0;
  LockType type = LockType::kShared;
  uint64_t start = 0;
  uint64_t end = 0;
  ELK_FIELDS(msgid, inode, owner, type, start, end)
};

// CLTOMA_LOCK_CANCEL: msgid:32 wait_id:64   (MATOCL_STATUS ok)
// Ends this session's waiting CLTOMA_LOCK `wait_id` (a FUSE interrupt); that request is
// answered kInterrupted. One that arrives before its request makes the request answer
// kInterrupted at once.
struct CltomaLockCancel {
  static constexpr uint32_t kType = CLTOMA_LOCK_CANCEL;
  uint32_t msgid = 0;
  uint64_t wait_id = 0;
  ELK_FIELDS(msgid, wait_id)
};

// CLTOMA_LOCK_RELEASE: msgid:32 inode:32 owner:64 kind:8   (MATOCL_STATUS ok)
// Every lock of `owner` of `kind` on `inode` goes: a POSIX owner's at the close of any of
// its descriptors of the file, a flock owner's when its open file description is released.
struct CltomaLockRelease {
  static constexpr uint32_t kType = CLTOMA_LOCK_RELEASE;
  uint32_t msgid = 0;
  uint32_t inode = 0;
  uint64_t owner = 0;
  LockKind kind = LockKind::kPosix;
  ELK_FIELDS(msgid, inode, owner, kind)
};

// CLTOMA_LOCKS_RECLAIM: msgid:32 locks:(count:32 HeldLock...)   (MATOCL_LOCKS_RECLAIM)
// Sent by a client that resumed its session, before any other request (after
// CLTOMA_SESSION_OPENS): every lock it holds by its own account. In the grace period after
// a master start the master grants them back; otherwise it keeps only those it still holds
// for the session and drops the rest of the session's locks (docs/locks.md).
struct CltomaLocksReclaim {
  static constexpr uint32_t kType = CLTOMA_LOCKS_RECLAIM;
  uint32_t msgid = 0;
  std::vector<HeldLock> locks;
  ELK_FIELDS(msgid, locks)
};

// CLTOMA_MONITOR: msgid:32 path:str sections:str
// A page of the monitor, as its HTTP server would answer a GET of `path` ("/", "/mfs.cgi",
// "/metrics", "/api/v1/info"); `sections` is MooseFS's `sections=` value ("IN|CS"), empty
// for every section. Needs no session: mfscli and mfscgiserv send it right after the hello.
struct CltomaMonitor {
  static constexpr uint32_t kType = CLTOMA_MONITOR;
  uint32_t msgid = 0;
  std::string path;
  std::string sections;
  ELK_FIELDS(msgid, path, sections)
};

}  // namespace elk::protocol
