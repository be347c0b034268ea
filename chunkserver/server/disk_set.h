#pragma once
// The chunkserver's disks: one ChunkStore per line of mfshdd.cfg. Picks the disk for a new
// chunk (most usable space, not marked for removal or '<', not damaged), finds the disk that holds
// a chunk, sums space for the master, and tells which chunks were lost when a disk failed.
//
// Thread-safe. Disks are shared_ptrs, so an I/O thread may keep using one that a reload
// has just dropped from the set.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chunkserver/storage/chunk_store.h"
#include "chunkserver/storage/disk_io.h"
#include "common/cfg/hdd_file.h"
#include "common/protocol/cstoma.h"
#include "common/status.h"

namespace elk::chunkserver {

struct Disk {
  std::string path;
  bool marked_for_removal = false;
  bool move_out = false;  // '<' in mfshdd.cfg: no new chunks here (they are not moved)
  std::unique_ptr<chunkstore::ChunkStore> store;
  bool lost_reported = false;  // guarded by DiskSet's mutex
  // Chunk data read from / written to this disk since the chunkserver started, counted by
  // the I/O threads (chunk_ops) for the master's monitor.
  std::atomic<uint64_t> bytes_read{0};
  std::atomic<uint64_t> bytes_written{0};

  void CountRead(uint64_t n) { bytes_read.fetch_add(n, std::memory_order_relaxed); }
  void CountWritten(uint64_t n) { bytes_written.fetch_add(n, std::memory_order_relaxed); }
};

// What the master is told (CSTOMA_REGISTER / CSTOMA_SPACE).
struct SpaceSummary {
  uint64_t used = 0;
  uint64_t total = 0;
  uint32_t chunks = 0;
  uint64_t removal_used = 0;
  uint64_t removal_total = 0;
  uint32_t removal_chunks = 0;
};

class DiskSet {
 public:
  // `io` must outlive the set. `leave_space`: HDD_LEAVE_SPACE_DEFAULT, used by lines
  // without their own "-SIZE" limit.
  DiskSet(chunkstore::DiskIo& io, uint64_t leave_space);

  // Brings the set in line with mfshdd.cfg: opens (scans) new folders, applies `*` marks,
  // drops folders no longer listed (their chunks are then returned by TakeLost()). A
  // folder that cannot be opened is logged and skipped. kInval when, after this, no disk
  // is usable at all and `require_one` is set.
  Status Apply(const std::vector<cfg::HddEntry>& entries, bool require_one);
  void set_leave_space(uint64_t bytes);

  // The disk holding chunk `id` (any version), or null.
  std::shared_ptr<Disk> Locate(uint64_t id) const;
  // The disk a new chunk goes to; null when no disk is usable.
  std::shared_ptr<Disk> PickForNew() const;
  std::vector<std::shared_ptr<Disk>> Disks() const;

  // Every chunk on working disks (not damaged), for registration.
  std::vector<chunkstore::ChunkName> Chunks() const;
  // Ids of the chunks on disks marked for removal (`*/path`): the master copies them away.
  std::set<uint64_t> MarkedChunkIds() const;
  SpaceSummary Space() const;
  // Each disk as the master's monitor shows it (CSTOMA_DISKS). `scrub_position`: the chunk
  // id the scrub tests next, or nullopt when the scrub is off. Calls statvfs: I/O threads.
  std::vector<protocol::DiskReport> Reports(std::optional<uint64_t> scrub_position) const;
  // Chunks on disks that turned damaged (or were dropped) since the last call.
  std::vector<uint64_t> TakeLost();
  size_t size() const;

 private:
  chunkstore::DiskIo& io_;
  mutable std::mutex mu_;
  uint64_t leave_space_;
  std::vector<std::shared_ptr<Disk>> disks_;
  std::vector<uint64_t> dropped_lost_;
};

}  // namespace elk::chunkserver
