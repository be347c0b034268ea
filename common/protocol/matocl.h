#pragma once
// Master to client (MATOCL_*): the replies to CLTOMA_* requests. Each starts with the
// request's msgid:32. Attr is the 60-byte record of records.h; ChunkLocation is
// chunkid:64 version:32 file_length:64 copies:(count:32 ip:32 port:16 ...).

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::protocol {

// MATOCL_CHALLENGE: msgid:32 challenge:blob (32 random bytes)
struct MatoclChallenge {
  static constexpr uint32_t kType = MATOCL_CHALLENGE;
  uint32_t msgid = 0;
  std::vector<uint8_t> challenge;
  ELK_FIELDS(msgid, challenge)
};

// MATOCL_REGISTER_SESSION: msgid:32 session_id:32 root_inode:32 readonly:8 min_goal:8
// max_goal:8 min_trashtime:32 max_trashtime:32 epoch:64   (the export's options, as
// granted; epoch is the master's term, 0 without an election: a client refuses a master
// whose epoch is below the highest it has registered with, docs/failover.md "Fencing")
struct MatoclRegisterSession {
  static constexpr uint32_t kType = MATOCL_REGISTER_SESSION;
  uint32_t msgid = 0;
  uint32_t session_id = 0;
  uint32_t root_inode = 0;
  bool readonly = false;
  uint8_t min_goal = 0;
  uint8_t max_goal = 0;
  uint32_t min_trashtime = 0;
  uint32_t max_trashtime = 0;
  uint64_t epoch = 0;
  ELK_FIELDS(msgid, session_id, root_inode, readonly, min_goal, max_goal, min_trashtime,
             max_trashtime, epoch)
};

// MATOCL_STATUS: msgid:32 status:8
// The failure of any request, and the success of those that return nothing.
struct MatoclStatus {
  static constexpr uint32_t kType = MATOCL_STATUS;
  uint32_t msgid = 0;
  Code status = Code::kOk;
  ELK_FIELDS(msgid, status)
};

// MATOCL_{LOOKUP,GETATTR,SETATTR,MKNOD,CREATE,MKDIR,LINK,SYMLINK,OPEN}: msgid:32 attr:Attr
template <uint32_t Type>
struct MatoclAttrReply {
  static constexpr uint32_t kType = Type;
  uint32_t msgid = 0;
  Attr attr;
  ELK_FIELDS(msgid, attr)
};
using MatoclLookup = MatoclAttrReply<MATOCL_LOOKUP>;
using MatoclGetattr = MatoclAttrReply<MATOCL_GETATTR>;
using MatoclSetattr = MatoclAttrReply<MATOCL_SETATTR>;
using MatoclMknod = MatoclAttrReply<MATOCL_MKNOD>;
using MatoclCreate = MatoclAttrReply<MATOCL_CREATE>;
using MatoclMkdir = MatoclAttrReply<MATOCL_MKDIR>;
using MatoclLink = MatoclAttrReply<MATOCL_LINK>;
using MatoclSymlink = MatoclAttrReply<MATOCL_SYMLINK>;
using MatoclOpen = MatoclAttrReply<MATOCL_OPEN>;

// MATOCL_READLINK: msgid:32 target:str
// MATOCL_GETXATTR: msgid:32 value:str
struct MatoclGetxattr {
  static constexpr uint32_t kType = MATOCL_GETXATTR;
  uint32_t msgid = 0;
  std::string value;
  ELK_FIELDS(msgid, value)
};

// MATOCL_LISTXATTR: msgid:32 names:(count:32 str...)
struct MatoclListxattr {
  static constexpr uint32_t kType = MATOCL_LISTXATTR;
  uint32_t msgid = 0;
  std::vector<std::string> names;
  ELK_FIELDS(msgid, names)
};

struct MatoclReadlink {
  static constexpr uint32_t kType = MATOCL_READLINK;
  uint32_t msgid = 0;
  std::string target;
  ELK_FIELDS(msgid, target)
};

// One directory entry: name:str attr:Attr (readdirplus: the attributes come along).
struct DirEntry {
  std::string name;
  Attr attr;
  ELK_FIELDS(name, attr)
};

// MATOCL_READDIR: msgid:32 entries:(count:32 DirEntry...) next_cookie:64 eof:8
struct MatoclReaddir {
  static constexpr uint32_t kType = MATOCL_READDIR;
  uint32_t msgid = 0;
  std::vector<DirEntry> entries;
  uint64_t next_cookie = 0;
  bool eof = false;
  ELK_FIELDS(msgid, entries, next_cookie, eof)
};

// MATOCL_STATFS: msgid:32 total_space:64 avail_space:64 trash_space:64 reserved_space:64
// inodes:32
struct MatoclStatfs {
  static constexpr uint32_t kType = MATOCL_STATFS;
  uint32_t msgid = 0;
  uint64_t total_space = 0;
  uint64_t avail_space = 0;
  uint64_t trash_space = 0;
  uint64_t reserved_space = 0;
  uint32_t inodes = 0;
  ELK_FIELDS(msgid, total_space, avail_space, trash_space, reserved_space, inodes)
};

// MATOCL_{READ_CHUNK,WRITE_CHUNK}: msgid:32 location:ChunkLocation
// For WRITE_CHUNK the copies are the write chain, first server first.
template <uint32_t Type>
struct MatoclChunkReply {
  static constexpr uint32_t kType = Type;
  uint32_t msgid = 0;
  ChunkLocation location;
  ELK_FIELDS(msgid, location)
};
using MatoclReadChunk = MatoclChunkReply<MATOCL_READ_CHUNK>;
using MatoclWriteChunk = MatoclChunkReply<MATOCL_WRITE_CHUNK>;

// One copy as mfsfileinfo shows it: ip:32 port:16 version:32 valid:8
struct ChunkCopyInfo {
  ServerAddr server;
  uint32_t version = 0;
  bool valid = false;
  ELK_FIELDS(server, version, valid)
};

// MATOCL_CHUNK_INFO: msgid:32 chunkid:64 version:32 copies:(count:32 ChunkCopyInfo...)
// chunkid 0: the index is a hole.
struct MatoclChunkInfo {
  static constexpr uint32_t kType = MATOCL_CHUNK_INFO;
  uint32_t msgid = 0;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  std::vector<ChunkCopyInfo> copies;
  ELK_FIELDS(msgid, chunkid, version, copies)
};

// One existing chunk of a file: index:32 chunkid:64 version:32 copies:(count:32 ChunkCopyInfo...)
// version 0 and no copies: the file names a chunk the registry does not know.
struct ChunkListEntry {
  uint32_t index = 0;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  std::vector<ChunkCopyInfo> copies;
  ELK_FIELDS(index, chunkid, version, copies)
};

// next_index of the last page of a chunk list.
inline constexpr uint32_t kChunkListEnd = UINT32_MAX;

// MATOCL_CHUNK_LIST: msgid:32 file_length:64 next_index:32 chunks:(count:32 ChunkListEntry...)
// The chunks at indexes [first_index, next_index), in index order; every index of that range
// not listed is a hole. next_index kChunkListEnd: the file has no chunk past the page.
struct MatoclChunkList {
  static constexpr uint32_t kType = MATOCL_CHUNK_LIST;
  uint32_t msgid = 0;
  uint64_t file_length = 0;
  uint32_t next_index = kChunkListEnd;
  std::vector<ChunkListEntry> chunks;
  ELK_FIELDS(msgid, file_length, next_index, chunks)
};

// How many files and directories have a given goal: goal:8 files:32 dirs:32
struct GoalCount {
  uint8_t goal = 0;
  uint32_t files = 0;
  uint32_t dirs = 0;
  ELK_FIELDS(goal, files, dirs)
};

// MATOCL_GETGOAL: msgid:32 counts:(count:32 GoalCount...)   (one entry unless recursive)
struct MatoclGetgoal {
  static constexpr uint32_t kType = MATOCL_GETGOAL;
  uint32_t msgid = 0;
  std::vector<GoalCount> counts;
  ELK_FIELDS(msgid, counts)
};

// trashtime:32 files:32 dirs:32
struct TrashtimeCount {
  uint32_t trashtime = 0;
  uint32_t files = 0;
  uint32_t dirs = 0;
  ELK_FIELDS(trashtime, files, dirs)
};

// MATOCL_GETTRASHTIME: msgid:32 counts:(count:32 TrashtimeCount...)
struct MatoclGettrashtime {
  static constexpr uint32_t kType = MATOCL_GETTRASHTIME;
  uint32_t msgid = 0;
  std::vector<TrashtimeCount> counts;
  ELK_FIELDS(msgid, counts)
};

// MATOCL_GETDIRSTATS: msgid:32 inodes:64 dirs:64 files:64 chunks:64 length:64 size:64
// realsize:64. size counts what the chunkservers store of each chunk a file has (its data
// rounded up to 64 KiB blocks plus the chunk header); realsize is size times the goal.
struct MatoclGetdirstats {
  static constexpr uint32_t kType = MATOCL_GETDIRSTATS;
  uint32_t msgid = 0;
  uint64_t inodes = 0;
  uint64_t dirs = 0;
  uint64_t files = 0;
  uint64_t chunks = 0;
  uint64_t length = 0;
  uint64_t size = 0;
  uint64_t realsize = 0;
  ELK_FIELDS(msgid, inodes, dirs, files, chunks, length, size, realsize)
};

// MATOCL_PATHS: msgid:32 paths:[str]. As MooseFS prints them: "dir/file" from the session's
// folder ("/" for the folder itself), "./TRASH (path)" in trash, "./SUSTAINED (path)" for a
// file removed while open.
struct MatoclPaths {
  static constexpr uint32_t kType = MATOCL_PATHS;
  uint32_t msgid = 0;
  std::vector<std::string> paths;
  ELK_FIELDS(msgid, paths)
};

// MATOCL_{SETGOAL,SETTRASHTIME}: msgid:32 changed:32 not_changed:32 not_permitted:32
template <uint32_t Type>
struct MatoclSetReply {
  static constexpr uint32_t kType = Type;
  uint32_t msgid = 0;
  uint32_t changed = 0;
  uint32_t not_changed = 0;
  uint32_t not_permitted = 0;
  ELK_FIELDS(msgid, changed, not_changed, not_permitted)
};
using MatoclSetgoal = MatoclSetReply<MATOCL_SETGOAL>;
using MatoclSettrashtime = MatoclSetReply<MATOCL_SETTRASHTIME>;

// One trash or reserved file: inode:32 path:str expires:32 (trash only; seconds since epoch)
struct DetachedEntry {
  uint32_t inode = 0;
  std::string path;
  uint32_t expires = 0;
  ELK_FIELDS(inode, path, expires)
};

// MATOCL_LIST_DETACHED: msgid:32 items:(count:32 DetachedEntry...)
struct MatoclListDetached {
  static constexpr uint32_t kType = MATOCL_LIST_DETACHED;
  uint32_t msgid = 0;
  std::vector<DetachedEntry> items;
  ELK_FIELDS(msgid, items)
};

// MATOCL_DETACHED_ATTR: msgid:32 attr:Attr path:str expires:32 (path as the master keeps
// it, "/dir/file"; expires for trash items only)
struct MatoclDetachedAttr {
  static constexpr uint32_t kType = MATOCL_DETACHED_ATTR;
  uint32_t msgid = 0;
  Attr attr;
  std::string path;
  uint32_t expires = 0;
  ELK_FIELDS(msgid, attr, path, expires)
};

// MATOCL_LOCK_TEST: msgid:32 type:8 start:64 end:64 pid:32
// The conflicting lock F_GETLK reports; type kUnlock when there is none.
struct MatoclLockTest {
  static constexpr uint32_t kType = MATOCL_LOCK_TEST;
  uint32_t msgid = 0;
  LockType type = LockType::kUnlock;
  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t pid = 0;
  ELK_FIELDS(msgid, type, start, end, pid)
};

// MATOCL_LOCKS_RECLAIM: msgid:32 lost:(count:32 index:32...)
// The reclaimed locks (indexes into the request's list) the session does not hold: the
// client forgets them (and logs it); the master holds exactly the others.
struct MatoclLocksReclaim {
  static constexpr uint32_t kType = MATOCL_LOCKS_RECLAIM;
  uint32_t msgid = 0;
  std::vector<uint32_t> lost;
  ELK_FIELDS(msgid, lost)
};

// MATOCL_MONITOR: msgid:32 http_status:16 content_type:str body:str
// The page an HTTP GET of the request's path answers (404 for an unknown path, 503 when the
// master is rendering too many pages this second).
struct MatoclMonitor {
  static constexpr uint32_t kType = MATOCL_MONITOR;
  uint32_t msgid = 0;
  uint16_t http_status = 200;
  std::string content_type;
  std::string body;
  ELK_FIELDS(msgid, http_status, content_type, body)
};

// MATOCL_REPAIR: msgid:32 not_changed:32 erased:32 repaired:32   (chunks of the file)
struct MatoclRepair {
  static constexpr uint32_t kType = MATOCL_REPAIR;
  uint32_t msgid = 0;
  uint32_t not_changed = 0;
  uint32_t erased = 0;
  uint32_t repaired = 0;
  ELK_FIELDS(msgid, not_changed, erased, repaired)
};

}  // namespace elk::protocol
