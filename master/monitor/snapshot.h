#pragma once
// What the monitor shows, as plain values. The master's loop thread builds one of these
// (master/server/monitor_feed.*) and hands it over whole; the HTTP thread only ever reads
// a finished, immutable snapshot, so serving a page never touches the master's live state.
// Tests build snapshots by hand and check the renderers on them.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace elk::master::monitor {

inline constexpr int kMaxGoal = 9;
inline constexpr int kMaxCopiesColumn = 10;  // copies >= 10 share the last column

struct Info {
  std::string software_version;
  uint64_t metadata_version = 0;
  uint32_t now = 0;          // seconds since the epoch, when the snapshot was taken
  uint32_t started_at = 0;   // when this master started
  uint64_t total_space = 0;  // over connected chunkservers
  uint64_t used_space = 0;
  uint64_t files = 0;  // every node that is not a directory, outside trash and reserved
  uint64_t dirs = 0;
  uint64_t files_length = 0;
  uint64_t trash_files = 0;
  uint64_t reserved_files = 0;
  uint64_t chunks = 0;
  uint32_t chunkservers = 0;       // connected
  uint32_t chunkservers_lost = 0;  // known but disconnected
  uint32_t sessions = 0;
  uint32_t metaloggers = 0;
  // Leader or follower (docs/failover.md). The leader fields are a follower's only.
  std::string role = "leader";
  uint64_t epoch = 0;
  std::string leader;             // "host:port" it follows (the leader's metalogger port)
  bool leader_connected = false;  // the link to it is up and streaming
  uint64_t leader_version = 0;    // the newest version the leader announced
  uint64_t lag_records = 0;       // leader_version - metadata_version
  uint32_t lag_seconds = 0;       // since our version last reached the leader's
  uint32_t last_applied_at = 0;   // when the last record was applied (0: none yet)
  bool diverged = false;          // a replay failed: waiting for the leader's image
  // A leader's MASTER_SYNC_FOLLOWERS and the followers counted toward it now (fewer: it
  // acknowledges with fewer copies than asked).
  uint32_t sync_followers_wanted = 0;
  uint32_t sync_followers_in_step = 0;

  uint64_t free_space() const { return total_space > used_space ? total_space - used_space : 0; }
  uint32_t uptime() const { return now > started_at ? now - started_at : 0; }
};

// Chunks counted by goal (rows 0..9; goal 0 = no file references it any more) and valid
// copies (columns 0..10, the last meaning "10 or more").
struct ChunkMatrix {
  std::array<std::array<uint64_t, kMaxCopiesColumn + 1>, kMaxGoal + 1> cells{};

  void Add(int goal, int valid_copies);
  uint64_t missing() const;       // referenced, no valid copy
  uint64_t endangered() const;    // goal > 1 and a single valid copy left
  uint64_t undergoal() const;     // fewer valid copies than the goal (missing ones included)
  uint64_t overgoal() const;      // more valid copies than the goal
  uint64_t stable() const;        // exactly the goal
  uint64_t unreferenced() const;  // goal 0: no file refers to it, its copies are deleted
  uint64_t total() const;
};

// Replication catch-up (master/replication/catch_up.h): counted every 10 s by the chunk
// loop, so it may lag the health matrix by that much.
struct ReplicationProgress {
  uint64_t undergoal = 0;  // under goal with at least one valid copy: replication can fix
  uint64_t in_flight = 0;  // replications sent, not yet answered
  bool catching_up = false;
  uint64_t done = 0;      // of the current (or last) catch-up: chunks brought back to goal
  uint64_t total = 0;     // done + still under goal
  uint32_t since = 0;     // when the current (or last) catch-up started; 0 = never
  uint32_t ended_at = 0;  // when the last one ended; 0 while one is under way

  double percent() const {
    return total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  }
};

struct ChunkserverRow {
  uint32_t id = 0;
  std::string address;  // "ip:port"
  std::string version;  // what the server said in its hello; empty when disconnected
  bool connected = false;
  bool marked_for_removal = false;
  uint64_t chunks = 0;
  uint64_t used_space = 0;
  uint64_t total_space = 0;
  uint32_t load = 0;
  uint32_t disconnected_since = 0;

  std::string state() const;  // "ok", "lost", "marked for removal"
};

// One disk of a connected chunkserver, as the chunkserver last reported it (CSTOMA_DISKS).
struct DiskRow {
  std::string chunkserver;  // "ip:port"
  std::string path;
  std::string state;  // "ok", "damaged", "marked for removal", "read-only"
  uint64_t chunks = 0;
  uint64_t used_space = 0;
  uint64_t total_space = 0;
  uint32_t errors = 0;  // I/O and checksum errors since the chunkserver started
  std::string last_error;
  uint32_t last_error_time = 0;  // 0 = none
  bool scrub_on = false;
  uint32_t scrub_done = 0;  // this disk's chunks the scrub has passed in its current round
  uint32_t scrub_total = 0;
  uint64_t bytes_read = 0;  // since the chunkserver started (CSTOMA_DISKS)
  uint64_t bytes_written = 0;

  bool damaged() const { return state == "damaged"; }
  bool marked_for_removal() const { return state == "marked for removal"; }
  // Percent of the current scrub round done on this disk; negative when not known (scrub
  // off, or no chunks).
  double scrub_percent() const;
};

struct SessionRow {
  uint32_t id = 0;
  std::string address;  // client ip
  std::string info;     // what the client says of itself (host, mount point)
  std::string folder;   // exported folder mounted, "." for the meta file system
  std::string options;  // the export rule's options, as text
  bool connected = false;
  uint32_t created = 0;
  uint32_t last_seen = 0;
};

struct MetaloggerRow {
  std::string address;
  std::string version;
  bool streaming = false;  // past the image download, receiving records
  uint64_t next_version = 0;
  uint64_t lag = 0;  // records the master has committed that this metalogger has not been sent
};

struct ExportRow {
  std::string address;  // the ADDRESS column, "*" or a range
  std::string path;
  std::string options;
  size_t line = 0;
};

// A file lock held, or a request waiting for one (docs/locks.md).
struct LockRow {
  uint32_t inode = 0;
  std::string kind;  // "posix" or "flock"
  uint32_t session = 0;
  uint64_t owner = 0;  // FUSE's lock owner within the session
  uint32_t pid = 0;
  std::string type;  // "shared" or "exclusive"
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive; 2^63 - 1: to the end of the file
  bool waiting = false;
};

// A file some session holds open, with the paths of its links (none: in trash or reserved).
struct OpenFileRow {
  uint32_t session = 0;
  uint32_t inode = 0;
  uint32_t descriptors = 0;
  std::string mode;  // "read", "write" or "read-write"
  std::vector<std::string> paths;
};

// Client requests counted by kind since the master started ("lookup" -> 1234).
using OpCounters = std::vector<std::pair<std::string, uint64_t>>;

// Running totals since this master started, which the history turns into rates: client
// requests; chunk data read from and written to the chunkservers' disks (the moves of their
// CSTOMA_DISKS counters, so a chunkserver's restart or disconnection loses nothing already
// counted); chunk copies the replication loop made and deleted.
struct Totals {
  uint64_t ops = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t replications = 0;
  uint64_t deletions = 0;  // over goal, stale or unused copies
};

// Rates over one step of the history (a minute by default), at its end; oldest first.
struct HistoryPoint {
  uint32_t time = 0;
  double ops_per_second = 0;
  double read_bytes_per_second = 0;
  double written_bytes_per_second = 0;
  double replications_per_second = 0;
  double deletions_per_second = 0;
};

// One chunkserver's chart: the bytes its disks read and wrote per second, a point a step
// (the same step as the cluster's history; kept in memory only).
struct ServerHistory {
  std::string address;
  std::shared_ptr<const std::vector<HistoryPoint>> points;  // never null
};

struct Snapshot {
  Info info;
  ChunkMatrix chunks;
  ReplicationProgress replication;
  std::vector<ChunkserverRow> chunkservers;
  std::vector<DiskRow> disks;
  std::vector<SessionRow> sessions;
  std::vector<MetaloggerRow> metaloggers;
  std::vector<ExportRow> exports;
  std::vector<LockRow> locks;           // held first, then waiting
  bool locks_grace = false;             // new locks wait while mounts reclaim theirs
  std::vector<OpenFileRow> open_files;  // the first kMaxOpenFilesListed
  size_t open_files_total = 0;          // all of them
  OpCounters ops;
  Totals totals;
  std::vector<HistoryPoint> history;
  std::vector<ServerHistory> server_history;  // by address
  uint32_t history_step = 60;                 // seconds between two points
  // Said under the disks table (e.g. that servers which never report disks are not listed).
  std::string disks_note;
};

}  // namespace elk::master::monitor
