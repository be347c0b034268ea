#pragma once
// The master's chunk registry: every chunk (version, references, goal, lock, copies) and
// every chunkserver, with the operations the master server calls from its event loop.
// Pure logic: no network, no disk, no clock (every call that needs time takes `now`,
// seconds since the epoch).
//
// Two kinds of mutation:
//   - metadata (persisted through the changelog): the Apply*/ref functions take every
//     input explicitly, ids included, so a live request and changelog replay run the same
//     code. Live requests (CreateChunk, PrepareWrite) allocate the id and then call them;
//     the caller logs the id they return.
//   - copies (not persisted; rebuilt from chunkservers' reports after a restart).
//
// Copies are kept in the order servers were added, which is the write chain's order.

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "master/chunks/chunk.h"
#include "master/chunks/locks.h"
#include "master/chunks/operations.h"
#include "master/chunks/placement.h"
#include "master/chunks/server.h"

namespace elk::master {

struct RegistryConfig {
  PlacementConfig placement;
  uint32_t lock_timeout = 120;  // seconds a writer's lock lasts without WriteEnd
  uint64_t rng_seed = 0;        // placement's tie-break; fixed in tests
};

// One chunk in a chunkserver's report: what it holds on disk.
struct ReportedChunk {
  ChunkId id = 0;
  uint32_t version = 0;
  bool marked_for_removal = false;  // on a disk marked `*` in mfshdd.cfg
};

struct Location {
  ServerId server = kNoServer;
  ServerAddress address;
};

struct NewChunk {
  ChunkId id = 0;
  uint32_t version = 1;
  std::vector<Location> servers;  // send each a create; then CreateDone
  bool short_of_goal = false;     // fewer servers than the goal could take a copy
};

struct WritePlan {
  ChunkId chunk = 0;            // the chunk the client writes to
  ChunkId duplicated_from = 0;  // non-zero: copy-on-write; each chain server must first
                                // duplicate this chunk (at old_version) into `chunk`
  uint32_t version = 0;         // the version the copies get for this write
  uint32_t old_version = 0;     // the version the copies hold now
  std::vector<Location> chain;  // the client writes to the first; each forwards on
};

struct ReadPlan {
  uint32_t version = 0;
  std::vector<Location> copies;
};

// A copy of a chunk the registry does not know (or no longer references): delete it.
struct OrphanCopy {
  ServerId server = kNoServer;
  ChunkId chunk = 0;
  uint32_t version = 0;
};

class ChunkRegistry {
 public:
  explicit ChunkRegistry(RegistryConfig config = {});

  // --- lookups ------------------------------------------------------------------
  ChunkId next_chunk_id() const { return next_chunk_id_; }
  // From the metadata image; ids below it are never handed out again.
  void set_next_chunk_id(ChunkId id) { next_chunk_id_ = id; }
  size_t chunk_count() const { return chunks_.size(); }
  const Chunk* Find(ChunkId id) const;
  const ServerTable& servers() const { return servers_; }
  const OperationTracker& operations() const { return ops_; }
  const RegistryConfig& config() const { return config_; }
  template <typename F>
  void ForEachChunk(F&& f) const {
    for (const auto& [id, chunk] : chunks_)
      f(id, chunk);
  }
  Location LocationOf(ServerId server) const;
  // Being written: locked by a session whose lock has not expired.
  bool IsLocked(ChunkId id, uint32_t now) const { return locks_.IsLocked(id, now); }

  // --- metadata mutations (changelog replay calls these too) -----------------------
  // A new chunk with version 1 and one reference of `goal`; next_chunk_id moves past id.
  Status ApplyCreate(ChunkId id, uint8_t goal);
  // A file (or a snapshot of one) references the chunk once more / once less. At zero
  // references the planner deletes every copy, then the chunk is forgotten.
  Status AddRef(ChunkId id, uint8_t goal);
  Status RemoveRef(ChunkId id, uint8_t goal);
  // A referencing file's goal changed (mfssetgoal).
  Status ChangeGoal(ChunkId id, uint8_t old_goal, uint8_t new_goal);
  // Loading the metadata image: the chunk's saved version.
  Status ApplySetVersion(ChunkId id, uint32_t version);
  // The version a write starts (live: PrepareWrite).
  Status ApplyIncVersion(ChunkId id);
  // Copy-on-write: one reference of `goal` moves from old_id to the new chunk new_id.
  Status ApplyDuplicate(ChunkId old_id, ChunkId new_id, uint8_t goal);
  // mfsfilerepair (registry_repair.cc). What a repair would do to the chunk: nothing
  // (kValid: a copy holds the current version), take back an older version a server still
  // holds (the newest such), or nothing to take (the file's slot must become a hole).
  struct RepairChoice {
    bool has_valid = false;
    uint32_t older_version = 0;  // 0: no server holds an older version
  };
  Result<RepairChoice> RepairCandidate(ChunkId id) const;
  // The chunk goes back to `version`: the copies of that version become its valid ones.
  Status RevertVersion(ChunkId id, uint32_t version);

  // --- clients ------------------------------------------------------------------
  // A new chunk for a file of `goal`, placed on up to `goal` servers whose copies are
  // busy until CreateDone. Locked for `session` when it is not 0. kNoChunkServers when no
  // server can take it (then no chunk is created).
  Result<NewChunk> CreateChunk(uint8_t goal, uint32_t now, uint32_t session = 0);
  // Starts a write by `session` (of a file of `goal`): locks the chunk and either bumps
  // its version (copies busy until SetVersionDone) or, when the chunk is shared (refcount
  // > 1, a snapshot), moves this reference to a new chunk to be duplicated from it
  // (copies busy until DuplicateDone). kNoChunk, kLocked (another writer's lock has not
  // expired), kChunkBusy (an operation on a copy is under way), kChunkLost (no valid copy).
  Result<WritePlan> PrepareWrite(ChunkId id, uint8_t goal, uint32_t session, uint32_t now);
  // The write ended: unlock (only the lock holder's session does). kLocked otherwise.
  Status WriteEnd(ChunkId id, uint32_t session);
  // A chain server failed the write: its copy is invalid, the chunk is under goal.
  Status ReportWriteFailure(ChunkId id, ServerId server);
  // Valid copies on connected servers; kChunkLost when there are none.
  Result<ReadPlan> ReadLocations(ChunkId id) const;

  // --- chunkservers ---------------------------------------------------------------
  // A chunkserver connected; it then sends its chunks with ServerReportsChunks (batches).
  Result<ServerId> RegisterServer(ServerAddress address, uint64_t used_bytes, uint64_t total_bytes,
                                  uint32_t now);
  Status UpdateServer(ServerId id, uint64_t used_bytes, uint64_t total_bytes, uint32_t load);
  Status SetServerMarkedForRemoval(ServerId id, bool marked);
  // Reconciles reported copies: the registry's version -> valid; another version, older
  // or newer -> invalid (the planner deletes it once a valid copy exists; a newer one
  // never changes the registry's version here); unknown chunk -> an orphan to delete, at
  // most kMaxOrphansPerRegistration of them per registration. The server's
  // unknown_reported and newer_reported count them.
  Status ServerReportsChunks(ServerId id, std::span<const ReportedChunk> chunks);
  static constexpr uint64_t kMaxOrphansPerRegistration = 100000;
  // Drops every copy on the server; the chunks that lost a valid copy remember `now`.
  Status ServerDisconnected(ServerId id, uint32_t now);
  // The server found a copy corrupt / lost it with a disk: the copy is gone.
  Status ChunkDamaged(ServerId id, ChunkId chunk) { return DropCopy(id, chunk); }
  Status ChunkLost(ServerId id, ChunkId chunk) { return DropCopy(id, chunk); }

  // --- results of operations sent to chunkservers -----------------------------------
  Status CreateDone(ChunkId id, ServerId server, bool ok);
  Status SetVersionDone(ChunkId id, ServerId server, bool ok);
  Status DuplicateDone(ChunkId new_id, ServerId server, bool ok);
  Status ReplicationDone(ChunkId id, ServerId to, uint32_t version, bool ok);
  Status DeleteDone(ChunkId id, ServerId server, bool ok);

  // --- orders from the replication planner ----------------------------------------
  // Adds a busy copy on `to` and counts the operation against both servers' limits.
  Status StartReplication(ChunkId id, ServerId from, ServerId to, uint32_t now);
  // Marks the copy on `server` as being deleted (orphans too: id need not be known).
  Status StartDeletion(ChunkId id, ServerId server, uint32_t now);
  std::deque<OrphanCopy>& orphans() { return orphans_; }
  // Operations unanswered for `timeout` seconds count as failed; expired locks go.
  void ExpireOperations(uint32_t now, uint32_t timeout);
  // Placement with the registry's configuration and random generator.
  Result<std::vector<ServerId>> Choose(uint32_t count, std::span<const ServerId> exclude);

 private:
  Chunk* FindMutable(ChunkId id);
  std::vector<Location> ValidLocations(const Chunk& chunk) const;
  void AddCopy(Chunk& chunk, const Copy& copy);
  bool RemoveCopy(Chunk& chunk, ServerId server);
  Status DropCopy(ServerId server, ChunkId id);
  Status FinishBusyCopy(ChunkId id, ServerId server, bool ok, bool keep_invalid);
  void ForgetIfUnused(ChunkId id);
  void Reconcile(ServerId server, const ReportedChunk& reported);
  void MakeBusy(ChunkId id, Chunk& chunk, uint32_t version, uint32_t now);

  RegistryConfig config_;
  std::mt19937_64 rng_;
  ChunkId next_chunk_id_ = 1;
  std::unordered_map<ChunkId, Chunk> chunks_;
  ServerTable servers_;
  WriteLocks locks_;
  OperationTracker ops_;
  std::deque<OrphanCopy> orphans_;
};

}  // namespace elk::master
