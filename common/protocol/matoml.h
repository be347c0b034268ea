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
  ELK_FIELDS(status, current_version)
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

// MATOML_DOWNLOAD_CHUNK: offset:64 crc:32 data:(size:32 bytes)   (crc: CRC32C of data)
struct MatomlDownloadChunk {
  static constexpr uint32_t kType = MATOML_DOWNLOAD_CHUNK;
  uint64_t offset = 0;
  uint32_t crc = 0;
  Bytes data;
  ELK_FIELDS(offset, crc, data)
};

}  // namespace elk::protocol
