#pragma once
// Chunkserver to client (CSTOCL_*): read data and statuses; write statuses also travel
// up a write chain.

#include <cstdint>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"
#include "common/protocol/wire.h"
#include "common/status.h"

namespace elk::protocol {

// CSTOCL_READ_DATA: chunkid:64 block:16 offset:16 crc:32 data:(size:32 bytes)
// crc: CRC32C of data (of the part of the block that was asked for).
struct CstoclReadData {
  static constexpr uint32_t kType = CSTOCL_READ_DATA;
  uint64_t chunkid = 0;
  uint16_t block = 0;
  uint16_t offset = 0;
  uint32_t crc = 0;
  Bytes data;
  ELK_FIELDS(chunkid, block, offset, crc, data)
};

// CSTOCL_READ_STATUS: chunkid:64 status:8   (the end of a read; kCrc tells the client to
// read another copy)
struct CstoclReadStatus {
  static constexpr uint32_t kType = CSTOCL_READ_STATUS;
  uint64_t chunkid = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, status)
};

// CSTOCL_WRITE_STATUS: chunkid:64 write_id:32 status:8
// write_id 0 answers CLTOCS_WRITE_INIT; otherwise the CLTOCS_WRITE_DATA of that id, sent
// once every server down the chain has written it.
struct CstoclWriteStatus {
  static constexpr uint32_t kType = CSTOCL_WRITE_STATUS;
  uint64_t chunkid = 0;
  uint32_t write_id = 0;
  Code status = Code::kOk;
  ELK_FIELDS(chunkid, write_id, status)
};

// CSTOCL_WRITE_ERROR: chunkid:64 write_id:32 status:8 server:(ip:32 port:16)
// Sent instead of CSTOCL_WRITE_STATUS when the init (write_id 0) or a write fails: server
// names the chunkserver of the chain that failed - the one that could not be reached, went
// away, or reported the error. 0.0.0.0:0 means the sender itself; a server relaying the
// error up the chain replaces that with the address of the next server it wrote to.
struct CstoclWriteError {
  static constexpr uint32_t kType = CSTOCL_WRITE_ERROR;
  uint64_t chunkid = 0;
  uint32_t write_id = 0;
  Code status = Code::kIo;
  ServerAddr server;
  ELK_FIELDS(chunkid, write_id, status, server)
};

// CSTOCL_CHECKSUMS: chunkid:64 version:32 status:8 crcs:(count:32 crc:32...)
// One CRC32C per stored block, in block order (none unless status is kOk).
struct CstoclChecksums {
  static constexpr uint32_t kType = CSTOCL_CHECKSUMS;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  Code status = Code::kOk;
  std::vector<uint32_t> crcs;
  ELK_FIELDS(chunkid, version, status, crcs)
};

}  // namespace elk::protocol
