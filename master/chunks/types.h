#pragma once
// The chunk registry's vocabulary: ids, copy states and one copy's compact record.

#include <cstdint>

namespace elk::master {

using ChunkId = uint64_t;   // same alias as the namespace's; 0 is never a chunk
using ServerId = uint16_t;  // a registered chunkserver; 0 is never a server

inline constexpr ServerId kNoServer = 0;
inline constexpr uint8_t kMaxChunkGoal = 9;

// What the master knows of one copy. The numbers show in tools; append, never renumber.
enum class CopyState : uint8_t {
  kValid = 0,    // holds the chunk's current version
  kInvalid = 1,  // wrong version or a failed write: useless, to be deleted
  kDel = 2,      // a delete was sent to its server
  kBusy = 3,     // an operation (create, set-version, duplicate, replicate) is under way
};

// 8 bytes: millions of chunks carry up to three of these inline.
struct Copy {
  ServerId server = kNoServer;
  CopyState state = CopyState::kValid;
  bool marked_for_removal = false;  // lives on a disk marked `*` in mfshdd.cfg
  uint32_t version = 0;
};
static_assert(sizeof(Copy) == 8);

}  // namespace elk::master
