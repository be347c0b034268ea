#pragma once
// The chunks of one disk folder (a line of mfshdd.cfg): scanned at start into an index,
// served by id and version, guarded by a free-space reserve, and given up as damaged after
// repeated I/O errors (its chunks are then reported lost; the other disks carry on).
// Thread-safe: one mutex, so one operation at a time per disk.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chunkserver/storage/chunk_file.h"
#include "chunkserver/storage/disk_io.h"

namespace elk::chunkstore {

struct ChunkStoreOptions {
  std::string dir;
  // Space kept free on the disk (HDD_LEAVE_SPACE_DEFAULT); growth into it is refused.
  uint64_t leave_space = uint64_t{256} << 20;
  // At most this many bytes of chunk files on the disk (mfshdd.cfg `/path 100GiB`); the
  // disk then reports this as its total. 0: no limit, the whole file system.
  uint64_t max_use = 0;
  // I/O errors after which the disk is marked damaged.
  uint32_t error_threshold = 3;
  // Chunk files kept open between operations.
  size_t max_open_files = 256;
};

struct ChunkInfo {
  ChunkName name;
  std::string path;
  uint64_t size = 0;  // bytes of block data
};

struct StoreSpace {
  uint64_t total = 0;
  uint64_t available = 0;  // free on the disk
  uint64_t usable = 0;     // free beyond the reserve: what new data may take
  bool read_only = false;  // the file system is mounted read-only
};

// The last I/O or checksum error of a disk, for the operator (the master's monitor).
struct DiskErrorNote {
  uint32_t count = 0;  // I/O and checksum errors since the store was opened
  std::string text;    // the last one, at most kMaxErrorText bytes
  uint32_t time = 0;   // when, seconds since the epoch; 0 = none yet
  static constexpr size_t kMaxErrorText = 240;
};

class ChunkStore {
 public:
  // Creates the 256 subfolders if missing and indexes the chunk files found in them.
  static Result<std::unique_ptr<ChunkStore>> Open(DiskIo& io, ChunkStoreOptions options);
  ChunkStore(DiskIo& io, ChunkStoreOptions options);
  ~ChunkStore();

  std::vector<ChunkInfo> Chunks() const;
  size_t chunk_count() const;
  // Chunks whose id is below `id` (how far an id-ordered walk such as the scrub has come).
  size_t CountBelow(uint64_t id) const;
  std::optional<ChunkInfo> Find(uint64_t id) const;
  // Older versions left behind by the scan when the same id was found twice.
  std::vector<ChunkInfo> Superseded() const;
  // Files in the subfolders that are not chunk files, skipped by the scan.
  size_t skipped_files() const;

  // Every operation names the chunk with its version: kNoChunk for an unknown id,
  // kWrongVersion when the stored version differs.
  Status Create(ChunkName name);
  Status Read(ChunkName name, uint64_t offset, std::span<uint8_t> out);
  Result<uint32_t> ReadBlock(ChunkName name, uint32_t block, std::span<uint8_t> out);
  // `whole_block_crc`: see ChunkFile::Write.
  Status Write(ChunkName name, uint64_t offset, std::span<const uint8_t> data,
               std::optional<uint32_t> whole_block_crc = std::nullopt);
  Status SetVersion(ChunkName name, uint32_t new_version);
  Status Truncate(ChunkName name, uint64_t length);
  Status Duplicate(ChunkName from, ChunkName to);
  Status DuplicateTruncate(ChunkName from, ChunkName to, uint64_t length);
  Status Delete(ChunkName name);
  Status Verify(ChunkName name);
  // The stored blocks' CRCs as the header keeps them (ChunkFile::StoredBlockCrcs).
  Result<std::vector<uint32_t>> BlockCrcs(ChunkName name);
  // Writes back the header and fdatasyncs the file: the writes so far survive a power loss
  // (CLTOCS_WRITE_SYNC).
  Status Sync(ChunkName name);
  // Writes back a chunk's header, fsyncs it when `sync`, and closes it (end of a write
  // session).
  Status Close(uint64_t id, bool sync = true);

  Result<StoreSpace> Space();
  bool damaged() const;
  DiskErrorNote last_error() const;
  const std::string& dir() const { return options_.dir; }
  // The chunks lost with this disk: all of them once it is damaged, none before.
  std::vector<ChunkName> LostChunks() const;

 private:
  struct Entry {
    ChunkName name;
    uint64_t size = 0;
    std::unique_ptr<ChunkFile> file;  // open between operations, or null
  };

  Status Scan();
  void Index(ChunkName name, uint64_t file_size);
  // The entry for `name`, opened; checks the disk, the id and the version.
  Result<Entry*> Get(ChunkName name);
  // Counts I/O errors toward the damage threshold and keeps the last disk error (I/O or
  // checksum) for the monitor; returns `s`.
  Status Note(Status s);
  // kNoSpace when `growth` bytes would eat into the reserve or pass max_use.
  Status Reserve(uint64_t growth);
  // Free bytes under max_use (UINT64_MAX without a limit).
  uint64_t LimitRoom() const;
  // Keeps file_bytes_ in step with an entry's size.
  void Count(uint64_t old_size, uint64_t new_size, bool added, bool removed);
  void AfterUse(Entry& e);
  Status Copy(ChunkName from, ChunkName to, std::optional<uint64_t> truncate_to);

  DiskIo& io_;
  const ChunkStoreOptions options_;
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> chunks_;
  std::vector<ChunkInfo> superseded_;
  size_t skipped_ = 0;
  size_t open_files_ = 0;
  uint64_t file_bytes_ = 0;  // header + data of every indexed chunk, for max_use
  uint32_t io_errors_ = 0;
  bool damaged_ = false;
  DiskErrorNote last_error_;
};

}  // namespace elk::chunkstore
