#pragma once
// Chunkserver to master (CSTOMA_*): registration, space reports, chunk trouble, and the
// status replies to MATOCS_* commands. Registration is REGISTER, then any number of
// REGISTER_CHUNKS batches, then REGISTER_DONE; the master answers MATOCS_REGISTER.

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::protocol {

// CSTOMA_REGISTER: ip:32 port:16 used_space:64 total_space:64 chunk_count:32
// chunk_count: how many chunks the batches that follow will list in all.
struct CstomaRegister {
  static constexpr uint32_t kType = CSTOMA_REGISTER;
  ServerAddr addr;  // where clients and other chunkservers reach it
  uint64_t used_space = 0;
  uint64_t total_space = 0;
  uint32_t chunk_count = 0;
  ELK_FIELDS(addr, used_space, total_space, chunk_count)
};

// CSTOMA_REGISTER_CHUNKS: chunks:(count:32 chunkid:64 version:32 on_marked_disk:8 ...)
struct CstomaRegisterChunks {
  static constexpr uint32_t kType = CSTOMA_REGISTER_CHUNKS;
  std::vector<ChunkVersion> chunks;
  ELK_FIELDS(chunks)
};

// CSTOMA_REGISTER_DONE: (empty)
struct CstomaRegisterDone {
  static constexpr uint32_t kType = CSTOMA_REGISTER_DONE;
  ELK_FIELDS()
};

// CSTOMA_SPACE: used_space:64 total_space:64 chunk_count:32 removal_used_space:64
// removal_total_space:64 removal_chunk_count:32   (the heartbeat; "removal" = disks
// marked */path in mfshdd.cfg)
struct CstomaSpace {
  static constexpr uint32_t kType = CSTOMA_SPACE;
  uint64_t used_space = 0;
  uint64_t total_space = 0;
  uint32_t chunk_count = 0;
  uint64_t removal_used_space = 0;
  uint64_t removal_total_space = 0;
  uint32_t removal_chunk_count = 0;
  ELK_FIELDS(used_space, total_space, chunk_count, removal_used_space, removal_total_space,
             removal_chunk_count)
};

// CSTOMA_CHUNK_DAMAGED: chunkids:(count:32 chunkid:64 ...)   (a block failed its CRC)
struct CstomaChunkDamaged {
  static constexpr uint32_t kType = CSTOMA_CHUNK_DAMAGED;
  std::vector<uint64_t> chunkids;
  ELK_FIELDS(chunkids)
};

// CSTOMA_CHUNK_LOST: chunkids:(count:32 chunkid:64 ...)   (its disk failed or vanished)
struct CstomaChunkLost {
  static constexpr uint32_t kType = CSTOMA_CHUNK_LOST;
  std::vector<uint64_t> chunkids;
  ELK_FIELDS(chunkids)
};

// How a chunkserver sees one of its disks. kLast bounds the decoder.
enum class DiskState : uint8_t {
  kOk = 0,
  kDamaged = 1,           // given up after repeated I/O errors; its chunks were reported lost
  kMarkedForRemoval = 2,  // `*/path` in mfshdd.cfg: being emptied, no new chunks
  kReadOnly = 3,          // mounted read-only: serves reads, takes no new chunks
  kLast,
};

// One disk (a line of mfshdd.cfg): path:(len:32 bytes) state:8 used:64 total:64 chunks:32
// errors:32 last_error:(len:32 bytes) last_error_time:32 scrub_on:8 scrub_done:32
// scrub_total:32 bytes_read:64 bytes_written:64. last_error_time is seconds since the epoch,
// 0 = no error yet. scrub_done of scrub_total: this disk's chunks the background scrub has
// passed in its current round (it walks chunk ids upwards over all disks, then starts again).
// bytes_read, bytes_written: chunk data read from and written to the disk since the
// chunkserver started (reads for clients and for other servers' replication; client writes
// and replicated copies received); the master turns them into rates.
struct DiskReport {
  std::string path;
  DiskState state = DiskState::kOk;
  uint64_t used_space = 0;
  uint64_t total_space = 0;
  uint32_t chunk_count = 0;
  uint32_t errors = 0;  // I/O and checksum errors seen since the chunkserver started
  std::string last_error;
  uint32_t last_error_time = 0;
  bool scrub_on = false;
  uint32_t scrub_done = 0;
  uint32_t scrub_total = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  ELK_FIELDS(path, state, used_space, total_space, chunk_count, errors, last_error, last_error_time,
             scrub_on, scrub_done, scrub_total, bytes_read, bytes_written)
};

// CSTOMA_DISKS: disks:(count:32 DiskReport...)   (after registration, then whenever a
// disk's figures change - its byte counters included, so every heartbeat while there is
// I/O - at most once a heartbeat; a master that never gets one shows no disk rows for that
// server)
struct CstomaDisks {
  static constexpr uint32_t kType = CSTOMA_DISKS;
  std::vector<DiskReport> disks;
  ELK_FIELDS(disks)
};

// CSTOMA_{CREATE_CHUNK,DELETE_CHUNK,SET_VERSION,DUPLICATE_CHUNK,TRUNCATE_CHUNK,
// DUPTRUNC_CHUNK}: chunkid:64 status:8   (the answer to the MATOCS_* command of the same
// name; for DUPLICATE_CHUNK and DUPTRUNC_CHUNK the chunkid is the new chunk's)
template <uint32_t Type>
struct CstomaChunkStatus {
  static constexpr uint32_t kType = Type;
  uint64_t chunkid = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, status)
};
using CstomaCreateChunk = CstomaChunkStatus<CSTOMA_CREATE_CHUNK>;
using CstomaDeleteChunk = CstomaChunkStatus<CSTOMA_DELETE_CHUNK>;
using CstomaSetVersion = CstomaChunkStatus<CSTOMA_SET_VERSION>;
using CstomaDuplicateChunk = CstomaChunkStatus<CSTOMA_DUPLICATE_CHUNK>;
using CstomaTruncateChunk = CstomaChunkStatus<CSTOMA_TRUNCATE_CHUNK>;
using CstomaDuptruncChunk = CstomaChunkStatus<CSTOMA_DUPTRUNC_CHUNK>;

// CSTOMA_REPLICATE_CHUNK: chunkid:64 version:32 status:8
struct CstomaReplicateChunk {
  static constexpr uint32_t kType = CSTOMA_REPLICATE_CHUNK;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, version, status)
};

}  // namespace elk::protocol
