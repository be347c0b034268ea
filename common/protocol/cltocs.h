#pragma once
// Client to chunkserver (CLTOCS_*). The write messages are also what a chunkserver sends
// to the next server of a write chain. Data is one 64 KiB block at most per frame.

#include <cstdint>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"
#include "common/protocol/wire.h"

namespace elk::protocol {

// CLTOCS_READ: chunkid:64 version:32 offset:32 size:32
// Answered by CSTOCL_READ_DATA frames, one per block touched, then CSTOCL_READ_STATUS.
struct CltocsRead {
  static constexpr uint32_t kType = CLTOCS_READ;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
  ELK_FIELDS(chunkid, version, offset, size)
};

// CLTOCS_WRITE_INIT: chunkid:64 version:32 chain:(count:32 ip:32 port:16 ...)
// chain: the servers after the receiver, in order; empty at the end of the chain.
struct CltocsWriteInit {
  static constexpr uint32_t kType = CLTOCS_WRITE_INIT;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  std::vector<ServerAddr> chain;
  ELK_FIELDS(chunkid, version, chain)
};

// CLTOCS_WRITE_DATA: chunkid:64 write_id:32 block:16 offset:16 crc:32 data:(size:32 bytes)
// crc: CRC32C of data. The data's length prefix is the write size (offset + size <= 64 KiB).
struct CltocsWriteData {
  static constexpr uint32_t kType = CLTOCS_WRITE_DATA;
  uint64_t chunkid = 0;
  uint32_t write_id = 0;
  uint16_t block = 0;
  uint16_t offset = 0;
  uint32_t crc = 0;
  Bytes data;
  ELK_FIELDS(chunkid, write_id, block, offset, crc, data)
};

// CLTOCS_WRITE_END: chunkid:64   (no more data; the chain may close)
struct CltocsWriteEnd {
  static constexpr uint32_t kType = CLTOCS_WRITE_END;
  uint64_t chunkid = 0;
  ELK_FIELDS(chunkid)
};

// CLTOCS_WRITE_SYNC: chunkid:64 write_id:32
// Asks for the chunk's file - every write acknowledged before it, and the header with their
// CRCs - to be on the disk of every server of the chain (fsync). write_id takes the next id
// of the write session like a CLTOCS_WRITE_DATA and is answered the same way
// (CSTOCL_WRITE_STATUS or CSTOCL_WRITE_ERROR), once this server and every one down the
// chain have synced. Protocol 4.
struct CltocsWriteSync {
  static constexpr uint32_t kType = CLTOCS_WRITE_SYNC;
  uint64_t chunkid = 0;
  uint32_t write_id = 0;
  ELK_FIELDS(chunkid, write_id)
};

// CLTOCS_GET_CHECKSUMS: chunkid:64 version:32   -> CSTOCL_CHECKSUMS
// The CRC of each stored 64 KiB block of a copy, from the chunk file's CRC table (no data
// read): mfsfileinfo -c / -s. A copy of another version answers kWrongVersion.
struct CltocsGetChecksums {
  static constexpr uint32_t kType = CLTOCS_GET_CHECKSUMS;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  ELK_FIELDS(chunkid, version)
};

}  // namespace elk::protocol
