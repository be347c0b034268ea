#pragma once
// Every message type id, grouped by link, and each type's maximum payload length, in one
// table. A link's ids live in its own range; a reply to a request usually sits 1000 above
// it (CLTOMA_LOOKUP 1010 -> MATOCL_LOOKUP 2010). Ids are fixed forever: append, never
// renumber. Layouts are in the per-link headers (antoan.h, cltoma.h, ...).

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

namespace elk::protocol {

// clang-format off
// ANTOAN: any to any, 0-99.
inline constexpr uint32_t ANTOAN_NOP = 0;  // keep-alive; empty payload (the event loop relies on it)
inline constexpr uint32_t ANTOAN_HELLO = 1;
inline constexpr uint32_t ANTOAN_STATUS = 2;
// The AUTH_CODE proof on the master's server ports (9419, 9420); see common/auth/auth_code.h.
inline constexpr uint32_t ANTOAN_AUTH_CHALLENGE = 3;
inline constexpr uint32_t ANTOAN_AUTH_ANSWER = 4;
// A follower master's answer to a hello on any of its ports: not the leader, go there.
// (20, not 5: ids 5-19 are left to the election's own messages.)
inline constexpr uint32_t ANTOAN_NOT_LEADER = 20;

// CLTOMA: client to master, 1000-1999.
inline constexpr uint32_t CLTOMA_GET_CHALLENGE = 1000;
inline constexpr uint32_t CLTOMA_REGISTER_SESSION = 1001;
inline constexpr uint32_t CLTOMA_LOOKUP = 1010;
inline constexpr uint32_t CLTOMA_GETATTR = 1011;
inline constexpr uint32_t CLTOMA_SETATTR = 1012;
inline constexpr uint32_t CLTOMA_MKNOD = 1013;
inline constexpr uint32_t CLTOMA_CREATE = 1014;
inline constexpr uint32_t CLTOMA_MKDIR = 1015;
inline constexpr uint32_t CLTOMA_UNLINK = 1016;
inline constexpr uint32_t CLTOMA_RMDIR = 1017;
inline constexpr uint32_t CLTOMA_RENAME = 1018;
inline constexpr uint32_t CLTOMA_LINK = 1019;
inline constexpr uint32_t CLTOMA_SYMLINK = 1020;
inline constexpr uint32_t CLTOMA_READLINK = 1021;
inline constexpr uint32_t CLTOMA_READDIR = 1022;
inline constexpr uint32_t CLTOMA_STATFS = 1023;
inline constexpr uint32_t CLTOMA_OPEN = 1024;
inline constexpr uint32_t CLTOMA_GETXATTR = 1025;
inline constexpr uint32_t CLTOMA_SETXATTR = 1026;
inline constexpr uint32_t CLTOMA_LISTXATTR = 1027;
inline constexpr uint32_t CLTOMA_REMOVEXATTR = 1028;
inline constexpr uint32_t CLTOMA_RELEASE = 1029;
inline constexpr uint32_t CLTOMA_READ_CHUNK = 1030;
inline constexpr uint32_t CLTOMA_WRITE_CHUNK = 1031;
inline constexpr uint32_t CLTOMA_WRITE_CHUNK_END = 1032;
inline constexpr uint32_t CLTOMA_CHUNK_INFO = 1033;
inline constexpr uint32_t CLTOMA_SESSION_OPENS = 1034;
inline constexpr uint32_t CLTOMA_CHUNK_LIST = 1035;  // a file's existing chunks, paged (mfsfileinfo)
inline constexpr uint32_t CLTOMA_GETGOAL = 1040;
inline constexpr uint32_t CLTOMA_SETGOAL = 1041;
inline constexpr uint32_t CLTOMA_GETTRASHTIME = 1042;
inline constexpr uint32_t CLTOMA_SETTRASHTIME = 1043;
inline constexpr uint32_t CLTOMA_GETDIRSTATS = 1044;  // optional: old masters refuse it
inline constexpr uint32_t CLTOMA_PATHS = 1045;        // mfsfilepaths; optional as above
inline constexpr uint32_t CLTOMA_SNAPSHOT = 1050;
inline constexpr uint32_t CLTOMA_APPEND_CHUNKS = 1051;
inline constexpr uint32_t CLTOMA_PUNCH_CHUNKS = 1052;
inline constexpr uint32_t CLTOMA_REPAIR = 1053;  // mfsfilerepair; optional as CLTOMA_PATHS
// Meta file system (sessions on "."): trash and reserved files.
inline constexpr uint32_t CLTOMA_LIST_DETACHED = 1060;
inline constexpr uint32_t CLTOMA_UNDELETE = 1061;
inline constexpr uint32_t CLTOMA_PURGE = 1062;
inline constexpr uint32_t CLTOMA_DETACHED_ATTR = 1063;
inline constexpr uint32_t CLTOMA_SET_TRASH_PATH = 1064;
// File locks, protocol 5 (docs/locks.md). A block of their own, far from the ids above.
inline constexpr uint32_t CLTOMA_LOCK = 1300;
inline constexpr uint32_t CLTOMA_LOCK_TEST = 1301;
inline constexpr uint32_t CLTOMA_LOCK_CANCEL = 1302;
inline constexpr uint32_t CLTOMA_LOCK_RELEASE = 1303;
inline constexpr uint32_t CLTOMA_LOCKS_RECLAIM = 1304;
// The monitor's pages over the client port, as MooseFS's mfscli and CGI read the master on
// 9421: allowed before a session registers (docs/monitor.md).
inline constexpr uint32_t CLTOMA_MONITOR = 1400;

// MATOCL: master to client, 2000-2999.
inline constexpr uint32_t MATOCL_CHALLENGE = 2000;
inline constexpr uint32_t MATOCL_REGISTER_SESSION = 2001;
inline constexpr uint32_t MATOCL_STATUS = 2002;  // the reply of any request that fails or returns nothing
inline constexpr uint32_t MATOCL_LOOKUP = 2010;
inline constexpr uint32_t MATOCL_GETATTR = 2011;
inline constexpr uint32_t MATOCL_SETATTR = 2012;
inline constexpr uint32_t MATOCL_MKNOD = 2013;
inline constexpr uint32_t MATOCL_CREATE = 2014;
inline constexpr uint32_t MATOCL_MKDIR = 2015;
inline constexpr uint32_t MATOCL_LINK = 2019;
inline constexpr uint32_t MATOCL_SYMLINK = 2020;
inline constexpr uint32_t MATOCL_READLINK = 2021;
inline constexpr uint32_t MATOCL_READDIR = 2022;
inline constexpr uint32_t MATOCL_STATFS = 2023;
inline constexpr uint32_t MATOCL_OPEN = 2024;
inline constexpr uint32_t MATOCL_GETXATTR = 2025;
inline constexpr uint32_t MATOCL_LISTXATTR = 2027;
inline constexpr uint32_t MATOCL_READ_CHUNK = 2030;
inline constexpr uint32_t MATOCL_WRITE_CHUNK = 2031;
inline constexpr uint32_t MATOCL_CHUNK_INFO = 2033;
inline constexpr uint32_t MATOCL_CHUNK_LIST = 2035;
inline constexpr uint32_t MATOCL_GETGOAL = 2040;
inline constexpr uint32_t MATOCL_SETGOAL = 2041;
inline constexpr uint32_t MATOCL_GETTRASHTIME = 2042;
inline constexpr uint32_t MATOCL_SETTRASHTIME = 2043;
inline constexpr uint32_t MATOCL_GETDIRSTATS = 2044;
inline constexpr uint32_t MATOCL_PATHS = 2045;
inline constexpr uint32_t MATOCL_REPAIR = 2053;
inline constexpr uint32_t MATOCL_LIST_DETACHED = 2060;
inline constexpr uint32_t MATOCL_DETACHED_ATTR = 2063;
inline constexpr uint32_t MATOCL_LOCK_TEST = 2301;
inline constexpr uint32_t MATOCL_LOCKS_RECLAIM = 2304;
inline constexpr uint32_t MATOCL_MONITOR = 2400;

// CSTOMA: chunkserver to master, 3000-3999.
inline constexpr uint32_t CSTOMA_REGISTER = 3000;
inline constexpr uint32_t CSTOMA_REGISTER_CHUNKS = 3001;
inline constexpr uint32_t CSTOMA_REGISTER_DONE = 3002;
inline constexpr uint32_t CSTOMA_SPACE = 3003;
inline constexpr uint32_t CSTOMA_CHUNK_DAMAGED = 3004;
inline constexpr uint32_t CSTOMA_CHUNK_LOST = 3005;
inline constexpr uint32_t CSTOMA_DISKS = 3006;
inline constexpr uint32_t CSTOMA_CREATE_CHUNK = 3010;
inline constexpr uint32_t CSTOMA_DELETE_CHUNK = 3011;
inline constexpr uint32_t CSTOMA_SET_VERSION = 3012;
inline constexpr uint32_t CSTOMA_DUPLICATE_CHUNK = 3013;
inline constexpr uint32_t CSTOMA_TRUNCATE_CHUNK = 3014;
inline constexpr uint32_t CSTOMA_REPLICATE_CHUNK = 3015;
inline constexpr uint32_t CSTOMA_DUPTRUNC_CHUNK = 3016;

// MATOCS: master to chunkserver, 4000-4999.
inline constexpr uint32_t MATOCS_REGISTER = 4000;
inline constexpr uint32_t MATOCS_CREATE_CHUNK = 4010;
inline constexpr uint32_t MATOCS_DELETE_CHUNK = 4011;
inline constexpr uint32_t MATOCS_SET_VERSION = 4012;
inline constexpr uint32_t MATOCS_DUPLICATE_CHUNK = 4013;
inline constexpr uint32_t MATOCS_TRUNCATE_CHUNK = 4014;
inline constexpr uint32_t MATOCS_REPLICATE_CHUNK = 4015;
inline constexpr uint32_t MATOCS_DUPTRUNC_CHUNK = 4016;

// CLTOCS: client to chunkserver (and chunkserver to the next one in a write chain), 5000-5999.
inline constexpr uint32_t CLTOCS_READ = 5000;
inline constexpr uint32_t CLTOCS_WRITE_INIT = 5010;
inline constexpr uint32_t CLTOCS_WRITE_DATA = 5011;
inline constexpr uint32_t CLTOCS_WRITE_END = 5012;
inline constexpr uint32_t CLTOCS_WRITE_SYNC = 5013;
// mfsfileinfo -c/-s: a copy's block CRCs (optional: an older chunkserver closes at it).
inline constexpr uint32_t CLTOCS_GET_CHECKSUMS = 5020;

// CSTOCL: chunkserver to client (and up a write chain), 6000-6999.
inline constexpr uint32_t CSTOCL_READ_DATA = 6000;
inline constexpr uint32_t CSTOCL_READ_STATUS = 6001;
inline constexpr uint32_t CSTOCL_WRITE_STATUS = 6010;
inline constexpr uint32_t CSTOCL_WRITE_ERROR = 6011;
inline constexpr uint32_t CSTOCL_CHECKSUMS = 6020;

// CSTOCS: chunkserver to chunkserver (replication), 7000-7999.
inline constexpr uint32_t CSTOCS_GET_CHUNK_BLOCKS = 7000;
inline constexpr uint32_t CSTOCS_CHUNK_BLOCKS = 7001;
inline constexpr uint32_t CSTOCS_READ = 7002;
inline constexpr uint32_t CSTOCS_READ_DATA = 7003;
inline constexpr uint32_t CSTOCS_READ_STATUS = 7004;

// MLTOMA: metalogger to master, 8000-8999.
inline constexpr uint32_t MLTOMA_REGISTER = 8000;
inline constexpr uint32_t MLTOMA_DOWNLOAD_START = 8010;
inline constexpr uint32_t MLTOMA_DOWNLOAD_CHUNK = 8011;
inline constexpr uint32_t MLTOMA_DOWNLOAD_END = 8012;
// Only from a follower master: the newest version it has committed to its own changelog.
inline constexpr uint32_t MLTOMA_APPLIED = 8020;

// MATOML: master to metalogger, 9000-9999.
inline constexpr uint32_t MATOML_REGISTER = 9000;
inline constexpr uint32_t MATOML_CHANGELOG = 9001;
inline constexpr uint32_t MATOML_DOWNLOAD_START = 9010;
inline constexpr uint32_t MATOML_DOWNLOAD_CHUNK = 9011;
// Only to a follower master (a peer whose hello says kMaster): the leader's ports, epoch and
// version, at registration and every second.
inline constexpr uint32_t MATOML_LEADER_INFO = 9020;
// clang-format on

// Maximum payload lengths. Requests that carry names and credentials get kSmall; bulk
// lists get kBulk; data frames get one 64 KiB block (or 1 MiB image piece) plus headroom.
inline constexpr uint32_t kTiny = 256;
inline constexpr uint32_t kSmall = 16u << 10;
inline constexpr uint32_t kBlockData = (64u << 10) + 256;
inline constexpr uint32_t kMedium = 1u << 20;
inline constexpr uint32_t kImagePiece = (1u << 20) + 256;
inline constexpr uint32_t kBulk = 16u << 20;
// CSTOMA_DISKS: up to 64 disks of a path (4 KiB at most) and an error text (kept short by
// the chunkserver), with room to spare.
inline constexpr uint32_t kDiskReport = 640u << 10;
// Before a peer has said hello, no frame may be larger than this (the hello is 1 KiB at
// most), whatever its type allows: an unknown peer cannot make a server buffer much.
inline constexpr uint32_t kPreHelloMaxPayload = 4u << 10;
// A client stays under its own limit until its session is registered: the registration
// carries a folder path and a password answer (CLTOMA_REGISTER_SESSION is kSmall).
inline constexpr uint32_t kPreSessionMaxPayload = kSmall;

struct MessageTypeInfo {
  uint32_t type;
  std::string_view name;
  uint32_t max_payload;
};

// Sorted by type id (checked below).
// clang-format off
#define ELK_TYPE(id, max) MessageTypeInfo{id, #id, max}
// clang-format on
inline constexpr MessageTypeInfo kMessageTypes[] = {
    ELK_TYPE(ANTOAN_NOP, 0),
    ELK_TYPE(ANTOAN_HELLO, 1024),
    ELK_TYPE(ANTOAN_STATUS, 4096),
    ELK_TYPE(ANTOAN_AUTH_CHALLENGE, kTiny),
    ELK_TYPE(ANTOAN_AUTH_ANSWER, kTiny),
    ELK_TYPE(ANTOAN_NOT_LEADER, kTiny),

    ELK_TYPE(CLTOMA_GET_CHALLENGE, kTiny),
    ELK_TYPE(CLTOMA_REGISTER_SESSION, kSmall),
    ELK_TYPE(CLTOMA_LOOKUP, kSmall),
    ELK_TYPE(CLTOMA_GETATTR, kSmall),
    ELK_TYPE(CLTOMA_SETATTR, kSmall),
    ELK_TYPE(CLTOMA_MKNOD, kSmall),
    ELK_TYPE(CLTOMA_CREATE, kSmall),
    ELK_TYPE(CLTOMA_MKDIR, kSmall),
    ELK_TYPE(CLTOMA_UNLINK, kSmall),
    ELK_TYPE(CLTOMA_RMDIR, kSmall),
    ELK_TYPE(CLTOMA_RENAME, kSmall),
    ELK_TYPE(CLTOMA_LINK, kSmall),
    ELK_TYPE(CLTOMA_SYMLINK, kSmall),
    ELK_TYPE(CLTOMA_READLINK, kTiny),
    ELK_TYPE(CLTOMA_READDIR, kSmall),
    ELK_TYPE(CLTOMA_STATFS, kTiny),
    ELK_TYPE(CLTOMA_OPEN, kSmall),
    ELK_TYPE(CLTOMA_GETXATTR, kSmall),
    ELK_TYPE(CLTOMA_SETXATTR, kBlockData),
    ELK_TYPE(CLTOMA_LISTXATTR, kSmall),
    ELK_TYPE(CLTOMA_REMOVEXATTR, kSmall),
    ELK_TYPE(CLTOMA_RELEASE, kTiny),
    ELK_TYPE(CLTOMA_READ_CHUNK, kTiny),
    ELK_TYPE(CLTOMA_WRITE_CHUNK, kTiny),
    ELK_TYPE(CLTOMA_WRITE_CHUNK_END, kTiny),
    ELK_TYPE(CLTOMA_CHUNK_INFO, kTiny),
    ELK_TYPE(CLTOMA_SESSION_OPENS, kMedium),  // 9 bytes a file: some 116,000 open files
    ELK_TYPE(CLTOMA_CHUNK_LIST, kTiny),
    ELK_TYPE(CLTOMA_GETGOAL, kSmall),
    ELK_TYPE(CLTOMA_SETGOAL, kSmall),
    ELK_TYPE(CLTOMA_GETTRASHTIME, kSmall),
    ELK_TYPE(CLTOMA_SETTRASHTIME, kSmall),
    ELK_TYPE(CLTOMA_GETDIRSTATS, kTiny),
    ELK_TYPE(CLTOMA_PATHS, kTiny),
    ELK_TYPE(CLTOMA_SNAPSHOT, kSmall),
    ELK_TYPE(CLTOMA_APPEND_CHUNKS, kSmall),
    ELK_TYPE(CLTOMA_PUNCH_CHUNKS, kSmall),
    ELK_TYPE(CLTOMA_REPAIR, kSmall),
    ELK_TYPE(CLTOMA_LIST_DETACHED, kTiny),
    ELK_TYPE(CLTOMA_UNDELETE, kTiny),
    ELK_TYPE(CLTOMA_PURGE, kTiny),
    ELK_TYPE(CLTOMA_DETACHED_ATTR, kTiny),
    ELK_TYPE(CLTOMA_SET_TRASH_PATH, kSmall),
    ELK_TYPE(CLTOMA_LOCK, kTiny),
    ELK_TYPE(CLTOMA_LOCK_TEST, kTiny),
    ELK_TYPE(CLTOMA_LOCK_CANCEL, kTiny),
    ELK_TYPE(CLTOMA_LOCK_RELEASE, kTiny),
    ELK_TYPE(CLTOMA_LOCKS_RECLAIM, kMedium),  // 34 bytes a lock: some 30,000 held locks
    ELK_TYPE(CLTOMA_MONITOR, kTiny),

    ELK_TYPE(MATOCL_CHALLENGE, kTiny),
    ELK_TYPE(MATOCL_REGISTER_SESSION, kTiny),
    ELK_TYPE(MATOCL_STATUS, kTiny),
    ELK_TYPE(MATOCL_LOOKUP, kTiny),
    ELK_TYPE(MATOCL_GETATTR, kTiny),
    ELK_TYPE(MATOCL_SETATTR, kTiny),
    ELK_TYPE(MATOCL_MKNOD, kTiny),
    ELK_TYPE(MATOCL_CREATE, kTiny),
    ELK_TYPE(MATOCL_MKDIR, kTiny),
    ELK_TYPE(MATOCL_LINK, kTiny),
    ELK_TYPE(MATOCL_SYMLINK, kTiny),
    ELK_TYPE(MATOCL_READLINK, kSmall),
    ELK_TYPE(MATOCL_READDIR, kBulk),
    ELK_TYPE(MATOCL_STATFS, kTiny),
    ELK_TYPE(MATOCL_OPEN, kTiny),
    ELK_TYPE(MATOCL_GETXATTR, kBlockData),
    ELK_TYPE(MATOCL_LISTXATTR, kBlockData),
    ELK_TYPE(MATOCL_READ_CHUNK, kSmall),
    ELK_TYPE(MATOCL_WRITE_CHUNK, kSmall),
    ELK_TYPE(MATOCL_CHUNK_INFO, kSmall),
    ELK_TYPE(MATOCL_CHUNK_LIST, kMedium),
    ELK_TYPE(MATOCL_GETGOAL, kSmall),
    ELK_TYPE(MATOCL_SETGOAL, kTiny),
    ELK_TYPE(MATOCL_GETTRASHTIME, kMedium),
    ELK_TYPE(MATOCL_SETTRASHTIME, kTiny),
    ELK_TYPE(MATOCL_GETDIRSTATS, kTiny),
    ELK_TYPE(MATOCL_PATHS, kBulk),  // one path per link: as many as a file has links
    ELK_TYPE(MATOCL_REPAIR, kTiny),
    ELK_TYPE(MATOCL_LIST_DETACHED, kBulk),
    ELK_TYPE(MATOCL_DETACHED_ATTR, kMedium),  // a trash path is as long as the folders were deep
    ELK_TYPE(MATOCL_LOCK_TEST, kTiny),
    ELK_TYPE(MATOCL_LOCKS_RECLAIM, kMedium),
    ELK_TYPE(MATOCL_MONITOR, kBulk),  // a page of the monitor: 10,000 open files and their paths

    ELK_TYPE(CSTOMA_REGISTER, kTiny),
    ELK_TYPE(CSTOMA_REGISTER_CHUNKS, kBulk),
    ELK_TYPE(CSTOMA_REGISTER_DONE, kTiny),
    ELK_TYPE(CSTOMA_SPACE, kTiny),
    ELK_TYPE(CSTOMA_CHUNK_DAMAGED, kMedium),
    ELK_TYPE(CSTOMA_CHUNK_LOST, kMedium),
    ELK_TYPE(CSTOMA_DISKS, kDiskReport),
    ELK_TYPE(CSTOMA_CREATE_CHUNK, kTiny),
    ELK_TYPE(CSTOMA_DELETE_CHUNK, kTiny),
    ELK_TYPE(CSTOMA_SET_VERSION, kTiny),
    ELK_TYPE(CSTOMA_DUPLICATE_CHUNK, kTiny),
    ELK_TYPE(CSTOMA_TRUNCATE_CHUNK, kTiny),
    ELK_TYPE(CSTOMA_REPLICATE_CHUNK, kTiny),
    ELK_TYPE(CSTOMA_DUPTRUNC_CHUNK, kTiny),

    ELK_TYPE(MATOCS_REGISTER, kTiny),
    ELK_TYPE(MATOCS_CREATE_CHUNK, kTiny),
    ELK_TYPE(MATOCS_DELETE_CHUNK, kTiny),
    ELK_TYPE(MATOCS_SET_VERSION, kTiny),
    ELK_TYPE(MATOCS_DUPLICATE_CHUNK, kTiny),
    ELK_TYPE(MATOCS_TRUNCATE_CHUNK, kTiny),
    ELK_TYPE(MATOCS_REPLICATE_CHUNK, kSmall),
    ELK_TYPE(MATOCS_DUPTRUNC_CHUNK, kTiny),

    ELK_TYPE(CLTOCS_READ, kTiny),
    ELK_TYPE(CLTOCS_WRITE_INIT, kSmall),
    ELK_TYPE(CLTOCS_WRITE_DATA, kBlockData),
    ELK_TYPE(CLTOCS_WRITE_END, kTiny),
    ELK_TYPE(CLTOCS_WRITE_SYNC, kTiny),
    ELK_TYPE(CLTOCS_GET_CHECKSUMS, kTiny),

    ELK_TYPE(CSTOCL_READ_DATA, kBlockData),
    ELK_TYPE(CSTOCL_READ_STATUS, kTiny),
    ELK_TYPE(CSTOCL_WRITE_STATUS, kTiny),
    ELK_TYPE(CSTOCL_WRITE_ERROR, kTiny),
    ELK_TYPE(CSTOCL_CHECKSUMS, kSmall),  // 1024 CRCs of 4 bytes

    ELK_TYPE(CSTOCS_GET_CHUNK_BLOCKS, kTiny),
    ELK_TYPE(CSTOCS_CHUNK_BLOCKS, kTiny),
    ELK_TYPE(CSTOCS_READ, kTiny),
    ELK_TYPE(CSTOCS_READ_DATA, kBlockData),
    ELK_TYPE(CSTOCS_READ_STATUS, kTiny),

    ELK_TYPE(MLTOMA_REGISTER, kTiny),
    ELK_TYPE(MLTOMA_DOWNLOAD_START, kTiny),
    ELK_TYPE(MLTOMA_DOWNLOAD_CHUNK, kTiny),
    ELK_TYPE(MLTOMA_DOWNLOAD_END, kTiny),
    ELK_TYPE(MLTOMA_APPLIED, kTiny),

    ELK_TYPE(MATOML_REGISTER, kTiny),
    ELK_TYPE(MATOML_CHANGELOG, kMedium),
    ELK_TYPE(MATOML_DOWNLOAD_START, kTiny),
    ELK_TYPE(MATOML_DOWNLOAD_CHUNK, kImagePiece),
    ELK_TYPE(MATOML_LEADER_INFO, kTiny),
};
#undef ELK_TYPE

static_assert(std::is_sorted(std::begin(kMessageTypes), std::end(kMessageTypes),
                             [](const MessageTypeInfo& a, const MessageTypeInfo& b) {
                               return a.type < b.type;
                             }),
              "kMessageTypes must be sorted by id");

// The table entry of `type`, or nullptr for an unknown type.
constexpr const MessageTypeInfo* FindMessageType(uint32_t type) {
  const auto* end = std::end(kMessageTypes);
  const auto* it =
      std::lower_bound(std::begin(kMessageTypes), end, type,
                       [](const MessageTypeInfo& info, uint32_t t) { return info.type < t; });
  return it != end && it->type == type ? it : nullptr;
}

constexpr bool KnownType(uint32_t type) {
  return FindMessageType(type) != nullptr;
}

// The largest payload a frame of `type` may carry. 0 for an unknown type, meaning refused
// (ANTOAN_NOP is known and also 0: it carries nothing; use KnownType to tell them apart).
constexpr uint32_t MaxPayload(uint32_t type) {
  const MessageTypeInfo* info = FindMessageType(type);
  return info ? info->max_payload : 0;
}

// What a server accepts on one link: the types its peer sends there (ids first..last, and
// ANTOAN for everyone), each up to its own limit; any other type is refused (0). Without
// this a registered client could name a type of another direction with a larger limit
// (MATOCL_READDIR, CSTOMA_REGISTER_CHUNKS: 16 MiB) and make the master buffer it whole
// before finding it is not a request.
//   copts.max_payload = [](uint32_t t) { return MaxPayloadFrom(t, CLTOMA_GET_CHALLENGE, 1999); };
constexpr uint32_t MaxPayloadFrom(uint32_t type, uint32_t first, uint32_t last) {
  const bool any_to_any = type < CLTOMA_GET_CHALLENGE;  // ANTOAN: 0-99
  if (!any_to_any && (type < first || type > last)) return 0;
  return MaxPayload(type);
}

// "CLTOMA_LOOKUP", or "UNKNOWN" for an id not in the table.
constexpr std::string_view TypeName(uint32_t type) {
  const MessageTypeInfo* info = FindMessageType(type);
  return info ? info->name : std::string_view("UNKNOWN");
}

}  // namespace elk::protocol
