#pragma once
// What the MooseFS tools ask of the master. One ToolBackend serves one mount (one master
// session); the tools find it from a path through the mount's `.masterinfo`. The network
// transport implements this interface; tests implement it with an in-memory tree.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mount/tools/masterinfo.h"

namespace elk::tools {

// How a set-goal / set-trashtime request treats the current value ("3", "3+", "3-").
enum class SetMode : uint8_t {
  kSet = 0,       // always set
  kIncrease = 1,  // only raise a lower value
  kDecrease = 2,  // only lower a higher value
};

// Who asks: the master checks ownership with these.
struct Credentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // supplementary groups, gid not repeated
};

// Result of a set request; for a single node exactly one counter is 1.
struct SetCounts {
  uint32_t changed = 0;
  uint32_t not_changed = 0;
  uint32_t not_permitted = 0;
};

// One line of a recursive get: `count` nodes carry `value` (a goal or a trashtime).
struct ValueCount {
  uint32_t value = 0;
  uint32_t count = 0;
};
// Recursive get, files and directories apart, each sorted by value.
struct ValueStats {
  std::vector<ValueCount> files;
  std::vector<ValueCount> dirs;
};

// The state of one copy of a chunk, as the master sees it.
enum class CopyState : uint8_t {
  kValid = 0,
  kMarkedForRemoval = 1,
  kWrongVersion = 2,
  kWrongVersionMarked = 3,
  kInvalid = 4,
};

struct ChunkCopy {
  uint32_t ip = 0;  // host order: 127.0.0.1 is 0x7F000001
  uint16_t port = 0;
  CopyState state = CopyState::kValid;
};

// One chunk of a file; chunk_id == 0 and version == 0 is a hole (no chunk yet).
struct ChunkInfo {
  uint64_t chunk_id = 0;
  uint32_t version = 0;
  std::vector<ChunkCopy> copies;
};

// One chunk a file has, at its index.
struct IndexedChunk {
  uint32_t index = 0;
  ChunkInfo chunk;
};

// One page of a file's existing chunks, in index order: those at indexes [from, next) of
// the request; an index of that range not listed is a hole. `next` absent: the file has no
// chunk past this page. A page that names a next index lists at least one chunk.
struct ChunkPage {
  uint64_t file_length = 0;
  std::vector<IndexedChunk> chunks;
  std::optional<uint32_t> next;
};

// mfsdirinfo's figures for a subtree: length is the sum of file lengths, size what the
// chunkservers store of the files' chunks (common/stored_size.h), realsize that times the
// goal. 64-bit throughout: a tree may hold more than 2^32 chunks.
struct DirStats {
  uint64_t inodes = 0;
  uint64_t dirs = 0;
  uint64_t files = 0;
  uint64_t chunks = 0;
  uint64_t length = 0;
  uint64_t size = 0;
  uint64_t realsize = 0;
};

// mfsfilerepair's counts for one file: chunks left as they were (holes included), made
// holes (no copy of any version left), taken back to an older version.
struct RepairCounts {
  uint32_t not_changed = 0;
  uint32_t erased = 0;
  uint32_t repaired = 0;
};

struct SnapshotOptions {
  bool overwrite = false;           // -o: replace existing objects
  bool cp_mode = false;             // -c: new objects get the caller's uid/gid/umask
  bool preserve_hardlinks = false;  // -p
};

class ToolBackend {
 public:
  virtual ~ToolBackend() = default;

  virtual Result<uint8_t> GetGoal(uint32_t inode) = 0;
  virtual Result<ValueStats> GetGoalRecursive(uint32_t inode) = 0;
  virtual Result<SetCounts> SetGoal(uint32_t inode, uint32_t uid, uint8_t goal, SetMode mode,
                                    bool recursive) = 0;

  virtual Result<uint32_t> GetTrashTime(uint32_t inode) = 0;
  virtual Result<ValueStats> GetTrashTimeRecursive(uint32_t inode) = 0;
  virtual Result<SetCounts> SetTrashTime(uint32_t inode, uint32_t uid, uint32_t seconds,
                                         SetMode mode, bool recursive) = 0;

  // The chunks a file has from index `from` on, holes skipped (mfsfileinfo, mfscheckfile):
  // asking page after page costs the file's chunks, whatever its length.
  virtual Result<ChunkPage> FileChunks(uint32_t inode, uint32_t from) = 0;
  virtual Result<DirStats> DirInfo(uint32_t inode) = 0;
  // Every path of a node as the master gives them (mfsfilepaths): "dir/file" from the
  // mount's folder, "/" for the folder, "./TRASH (path)" or "./SUSTAINED (path)".
  virtual Result<std::vector<std::string>> Paths(uint32_t inode) = 0;
  // mfsfilerepair: each chunk of the file without a valid copy goes back to the newest older
  // version a chunkserver holds, or becomes a hole (docs/tools.md).
  virtual Result<RepairCounts> RepairFile(uint32_t inode, const Credentials& creds) = 0;
  // mfsfileinfo -c / -s: the CRC of each block one copy holds, asked of its chunkserver for
  // that chunk version (kWrongVersion when the copy has another).
  virtual Result<std::vector<uint32_t>> CopyChecksums(const ChunkCopy& copy, uint64_t chunk_id,
                                                      uint32_t version) = 0;

  virtual Status MakeSnapshot(uint32_t src_inode, uint32_t dst_parent_inode,
                              const std::string& dst_name, const Credentials& creds,
                              const SnapshotOptions& options) = 0;
  // Appends the chunks of src to dst (shared, like a snapshot).
  virtual Status AppendChunks(uint32_t dst_inode, uint32_t src_inode, const Credentials& creds) = 0;
};

// Opens the session a mount's `.masterinfo` names.
using BackendFactory = std::function<Result<std::unique_ptr<ToolBackend>>(const MasterInfo& info)>;

}  // namespace elk::tools
