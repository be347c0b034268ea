#pragma once
// Master to chunkserver (MATOCS_*): the registration answer and chunk commands. Each
// command is answered by the CSTOMA_* message of the same name.

#include <cstdint>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::protocol {

// MATOCS_REGISTER: status:8 server_id:32 epoch:64   (server_id names it in logs and the
// monitor; epoch is the master's term, 0 without an election: a chunkserver refuses a
// master whose epoch is below the highest it has seen, see docs/failover.md "Fencing")
struct MatocsRegister {
  static constexpr uint32_t kType = MATOCS_REGISTER;
  Code status = Code::kOk;
  uint32_t server_id = 0;
  uint64_t epoch = 0;
  ELK_FIELDS(status, server_id, epoch)
};

// MATOCS_CREATE_CHUNK: chunkid:64 version:32   (a new, empty chunk)
struct MatocsCreateChunk {
  static constexpr uint32_t kType = MATOCS_CREATE_CHUNK;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  ELK_FIELDS(chunkid, version)
};

// MATOCS_DELETE_CHUNK: chunkid:64 version:32
struct MatocsDeleteChunk {
  static constexpr uint32_t kType = MATOCS_DELETE_CHUNK;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  ELK_FIELDS(chunkid, version)
};

// MATOCS_SET_VERSION: chunkid:64 version:32 old_version:32
// Refused with kWrongVersion unless the copy has old_version.
struct MatocsSetVersion {
  static constexpr uint32_t kType = MATOCS_SET_VERSION;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  uint32_t old_version = 0;
  ELK_FIELDS(chunkid, version, old_version)
};

// MATOCS_DUPLICATE_CHUNK: new_chunkid:64 new_version:32 old_chunkid:64 old_version:32
// A local copy for copy-on-write after a snapshot.
struct MatocsDuplicateChunk {
  static constexpr uint32_t kType = MATOCS_DUPLICATE_CHUNK;
  uint64_t new_chunkid = 0;
  uint32_t new_version = 0;
  uint64_t old_chunkid = 0;
  uint32_t old_version = 0;
  ELK_FIELDS(new_chunkid, new_version, old_chunkid, old_version)
};

// MATOCS_TRUNCATE_CHUNK: chunkid:64 length:32 version:32 old_version:32
struct MatocsTruncateChunk {
  static constexpr uint32_t kType = MATOCS_TRUNCATE_CHUNK;
  uint64_t chunkid = 0;
  uint32_t length = 0;  // bytes within the chunk, <= 64 MiB
  uint32_t version = 0;
  uint32_t old_version = 0;
  ELK_FIELDS(chunkid, length, version, old_version)
};

// MATOCS_REPLICATE_CHUNK: chunkid:64 version:32 sources:(count:32 ip:32 port:16 ...)
// Fetch this copy from one of the sources (over CSTOCS_*), trying them in order.
struct MatocsReplicateChunk {
  static constexpr uint32_t kType = MATOCS_REPLICATE_CHUNK;
  uint64_t chunkid = 0;
  uint32_t version = 0;
  std::vector<ServerAddr> sources;
  ELK_FIELDS(chunkid, version, sources)
};

// MATOCS_DUPTRUNC_CHUNK: new_chunkid:64 new_version:32 old_chunkid:64 old_version:32
// length:32   As MATOCS_DUPLICATE_CHUNK, the copy then cut to length (<= 64 MiB): copy-on-write
// of a snapshot chunk that is being truncated.
struct MatocsDuptruncChunk {
  static constexpr uint32_t kType = MATOCS_DUPTRUNC_CHUNK;
  uint64_t new_chunkid = 0;
  uint32_t new_version = 0;
  uint64_t old_chunkid = 0;
  uint32_t old_version = 0;
  uint32_t length = 0;
  ELK_FIELDS(new_chunkid, new_version, old_chunkid, old_version, length)
};

}  // namespace elk::protocol
