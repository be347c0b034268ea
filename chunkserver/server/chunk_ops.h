#pragma once
// The chunk operations the chunkserver performs, as plain synchronous functions over a
// DiskSet. They run on I/O threads (IoPool); the network code only schedules them. Each
// returns the Status that goes on the wire.

#include <chrono>
#include <cstdint>
#include <vector>

#include "chunkserver/server/disk_set.h"
#include "chunkserver/storage/chunk_format.h"
#include "common/net/address.h"
#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::chunkserver {

using chunkstore::ChunkName;

// --- master commands ---
Status CreateChunk(DiskSet& disks, ChunkName name);
Status DeleteChunk(DiskSet& disks, ChunkName name);
Status SetChunkVersion(DiskSet& disks, ChunkName name, uint32_t new_version);
Status TruncateChunk(DiskSet& disks, ChunkName name, uint64_t length, uint32_t new_version);
// A copy of `from` under `to`, on the same disk (snapshot copy-on-write).
Status DuplicateChunk(DiskSet& disks, ChunkName from, ChunkName to);
Status DuplicateTruncateChunk(DiskSet& disks, ChunkName from, ChunkName to, uint64_t length);

// --- reads ---

// Reads [offset, offset + size) of a chunk as one encoded frame per block piece, of
// message M (CstoclReadData or CstocsReadData): whole blocks carry their stored CRC,
// partial pieces a CRC computed over the piece. `frames` gets the pieces read before an
// error. kCrc when a block fails its check (the chunk is damaged).
template <typename M>
Status ReadPieces(DiskSet& disks, ChunkName name, uint64_t offset, uint64_t size,
                  std::vector<std::vector<uint8_t>>& frames);
// kInval unless offset + size lies within a chunk.
Status CheckReadRange(uint64_t offset, uint64_t size);

// Number of 64 KiB blocks the copy holds (CSTOCS_CHUNK_BLOCKS).
Result<uint16_t> ChunkBlocks(DiskSet& disks, ChunkName name);
// The CRC of each block the copy holds (CLTOCS_GET_CHECKSUMS).
Result<std::vector<uint32_t>> ChunkBlockCrcs(DiskSet& disks, ChunkName name);

// --- writes ---
// Writes data at block*64KiB + offset. `crc` is the data's CRC, already checked by the caller
// (on the loop, before the data went down the chain): a whole block is not summed again.
Status WriteChunkData(DiskSet& disks, ChunkName name, uint32_t block, uint32_t offset, uint32_t crc,
                      std::span<const uint8_t> data);
// Writes back the header and fdatasyncs the chunk file (CLTOCS_WRITE_SYNC).
Status SyncChunk(DiskSet& disks, ChunkName name);
// Flushes and closes the chunk file at the end of a write.
Status CloseChunk(DiskSet& disks, uint64_t id, bool sync);

// --- replication ---
struct ReplicateOptions {
  std::chrono::milliseconds timeout{10000};  // per connect and per frame
};
// Fetches chunk `name` from the first source that has it (CSTOCS_*), checking every
// block's CRC, into a new chunk on the disk PickForNew() chooses. An existing copy of
// another version is replaced; a partial copy is removed on failure.
Status ReplicateChunk(DiskSet& disks, ChunkName name,
                      const std::vector<protocol::ServerAddr>& sources,
                      const ReplicateOptions& options);

}  // namespace elk::chunkserver
