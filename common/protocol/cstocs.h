#pragma once
// Chunkserver to chunkserver (CSTOCS_*): reading a chunk for replication. The target asks
// the source how many blocks the copy has, then reads them.

#include <cstdint>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/wire.h"
#include "common/status.h"

namespace elk::protocol {

// CSTOCS_GET_CHUNK_BLOCKS: chunkid:64 version:32
struct CstocsGetChunkBlocks {
  static constexpr uint32_t kType = CSTOCS_GET_CHUNK_BLOCKS;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  ELK_FIELDS(chunkid, version)
};

// CSTOCS_CHUNK_BLOCKS: chunkid:64 version:32 blocks:16 status:8
struct CstocsChunkBlocks {
  static constexpr uint32_t kType = CSTOCS_CHUNK_BLOCKS;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  uint16_t blocks = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, version, blocks, status)
};

// CSTOCS_READ: chunkid:64 version:32 offset:32 size:32
struct CstocsRead {
  static constexpr uint32_t kType = CSTOCS_READ;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
  ELK_FIELDS(chunkid, version, offset, size)
};

// CSTOCS_READ_DATA: chunkid:64 block:16 offset:16 crc:32 data:(size:32 bytes)
struct CstocsReadData {
  static constexpr uint32_t kType = CSTOCS_READ_DATA;
  uint64_t chunkid = 0;
  uint16_t block = 0;
  uint16_t offset = 0;
  uint32_t crc = 0;
  Bytes data;
  ELK_FIELDS(chunkid, block, offset, crc, data)
};

// CSTOCS_READ_STATUS: chunkid:64 status:8
struct CstocsReadStatus {
  static constexpr uint32_t kType = CSTOCS_READ_STATUS;
  uint64_t chunkid = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, status)
};

}  // namespace elk::protocol
