#pragma once
// Master to metalogger (MATOML_*): registration answer, changelog stream, image pieces.

#include <cstdint>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/wire.h"
#include "common/status.h"

namespace elk::protocol {

// MATOML_REGISTER: status:8 current_version:64
struct MatomlRegister {
  static constexpr uint32_t kType = MATOML_REGISTER;
  Code status = Code::kOk;
  uint64_t current_version = 0;
  uint64_t epoch = 0;  // the master's term (0 without an election): the metalogger keeps it
  ELK_FIELDS(status, current_version, epoch)
};

// MATOML_CHANGELOG: version:64 record:(size:32 bytes)   (one changelog record as stored)
struct MatomlChangelog {
  static constexpr uint32_t kType = MATOML_CHANGELOG;
  uint64_t version = 0;
  Bytes record;
  ELK_FIELDS(version, record)
};

// MATOML_DOWNLOAD_START: status:8 size:64 version:64   (the image's size and version)
struct MatomlDownloadStart {
  static constexpr uint32_t kType = MATOML_DOWNLOAD_START;
  Code status = Code::kOk;
  uint64_t size = 0;
  uint64_t version = 0;
  ELK_FIELDS(status, size, version)
};

// MATOML_LEADER_INFO: epoch:64 version:64 client_port:16 chunkserver_port:16 metalogger_port:16
// Sent only to followers (hello role kMaster): where the leader serves each kind of peer
// (the host is the one the follower connected to) and its metadata version now, so a
// follower can redirect peers and measure its lag. Sent at registration and every second.
struct MatomlLeaderInfo {
  static constexpr uint32_t kType = MATOML_LEADER_INFO;
  uint64_t epoch = 0;
  uint64_t version = 0;
  uint16_t client_port = 0;
  uint16_t chunkserver_port = 0;
  uint16_t metalogger_port = 0;
  ELK_FIELDS(epoch, version, client_port, chunkserver_port, metalogger_port)
};

// MATOML_DOWNLOAD_CHUNK: offset:64 crc:32 data:(size:32 bytes)   (crc: CRC32C of data)
struct MatomlDownloadChunk {
  static constexpr uint32_t kType = MATOML_DOWNLOAD_CHUNK;
  uint64_t offset = 0;
  uint32_t crc = 0;
  Bytes data;
  ELK_FIELDS(offset, crc, data)
};

}  // namespace elk::protocol
