#pragma once
// A setattr that shrinks a file to a length inside one of its chunks. The bytes of that
// chunk past the new end must read as zeros when the file grows again, on every copy and in
// every snapshot that shares them, so before the length is set the chunk is cut on the
// chunkservers: locked and given a new version as a write would be (copied on write first
// when a snapshot shares it), truncated by every server of its chain, then unlocked. Copies
// that miss the cut keep the old version and are dropped as stale. Only then is the new
// length applied (and logged) and the client answered, so an acknowledged truncate has
// nothing left to come back.
//
// A chunk another writer holds (kLocked) or that has an operation under way (kChunkBusy)
// is tried again every kRetryEvery until kRetryFor has passed, then the code is answered.
// The work goes on if the client's connection closes meanwhile: a truncate that has cut
// its chunk also sets its length.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/net/connection.h"
#include "master/namespace/types.h"
#include "master/server/client_link.h"

namespace elk::master {

struct ChunkCut {
  uint32_t index = 0;  // the chunk the new end falls in
  uint32_t keep = 0;   // bytes of it that stay
};

// The cut a shrink from the file's current length to req.length needs, if any: none when
// the file does not shrink, when the new end is on a chunk boundary (whole chunks are
// dropped) or when it falls in a hole.
std::optional<ChunkCut> CutFor(const Namespace& ns, InodeId inode, const SetAttrRequest& req);

struct TruncateRequest {
  Cred cred;
  InodeId inode = 0;
  SetAttrRequest req;
  uint32_t session = 0;
  uint32_t msgid = 0;
  std::weak_ptr<net::Connection> conn;
};

inline constexpr std::chrono::milliseconds kRetryEvery{100};
inline constexpr std::chrono::seconds kRetryFor{60};

// Checks, cuts, sets the length and answers (MATOCL_SETATTR or MATOCL_STATUS).
void TruncateIntoChunk(ClientContext& ctx, TruncateRequest r);

}  // namespace elk::master
