#pragma once
// Metalogger to master (MLTOMA_*): registration and the metadata image download.

#include <cstdint>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"

namespace elk::protocol {

// MLTOMA_REGISTER: last_version:64 epoch:64
// The newest changelog version the metalogger holds, and the term of the master it had those
// records from (MATOML_REGISTER's epoch; 0: unknown or no election); the master streams what
// follows, or sends an image when those records may be another leader's history.
struct MltomaRegister {
  static constexpr uint32_t kType = MLTOMA_REGISTER;
  uint64_t last_version = 0;
  uint64_t epoch = 0;
  ELK_FIELDS(last_version, epoch)
};

// MLTOMA_DOWNLOAD_START: (empty)   (asks for the newest metadata.mfs)
struct MltomaDownloadStart {
  static constexpr uint32_t kType = MLTOMA_DOWNLOAD_START;
  ELK_FIELDS()
};

// MLTOMA_DOWNLOAD_CHUNK: offset:64 size:32   (size <= 1 MiB)
struct MltomaDownloadChunk {
  static constexpr uint32_t kType = MLTOMA_DOWNLOAD_CHUNK;
  uint64_t offset = 0;
  uint32_t size = 0;
  ELK_FIELDS(offset, size)
};

// MLTOMA_DOWNLOAD_END: (empty)   (the master may release the image)
struct MltomaDownloadEnd {
  static constexpr uint32_t kType = MLTOMA_DOWNLOAD_END;
  ELK_FIELDS()
};

// MLTOMA_APPLIED: version:64
// A follower master's records up to `version` are in its own changelog (committed): the
// leader counts it toward MASTER_SYNC_FOLLOWERS before it acknowledges those changes.
struct MltomaApplied {
  static constexpr uint32_t kType = MLTOMA_APPLIED;
  uint64_t version = 0;
  ELK_FIELDS(version)
};

}  // namespace elk::protocol
