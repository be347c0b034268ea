// ChunkIo::Sync: what fsync(2) on a mount and SYNCHRONIZE CACHE on a volume wait for. Every
// chunk a successful chain write touched is remembered per file; Sync sends each one's chain
// a CLTOCS_WRITE_SYNC in a write session of its own (the chain was usually ended already:
// the mount ends one per write-behind batch), and each chunkserver fdatasyncs the chunk file
// before it answers, after every write it acknowledged before.

#include <algorithm>
#include <thread>
#include <utility>

#include "common/log/log.h"
#include "mount/client/chunk_io.h"

namespace elk::client {

namespace proto = protocol;

namespace {

// Worth another try on a fresh location: the chain broke, or the chunk moved on.
bool RetrySync(Code c) {
  return c == Code::kDisconnected || c == Code::kCantConnect || c == Code::kTimeout ||
         c == Code::kWrongVersion || c == Code::kNoChunk || c == Code::kChunkBusy ||
         c == Code::kLocked || c == Code::kProtocol;
}

}  // namespace

void ChunkIo::NoteUnsynced(uint32_t inode, uint32_t index, const proto::ChunkLocation& loc) {
  std::lock_guard lock(mu_);
  unsynced_[inode][loc.chunkid] = Unsynced{index, loc};
}

Status ChunkIo::Sync(uint32_t inode) {
  std::map<uint64_t, Unsynced> chunks;
  {
    std::lock_guard lock(mu_);
    auto it = unsynced_.find(inode);
    if (it == unsynced_.end()) return Status::Ok();
    chunks = std::move(it->second);
    unsynced_.erase(it);
  }
  Status result;
  for (const auto& [id, chunk] : chunks) {
    Status s = SyncChunk(inode, chunk);
    if (!s.ok()) {
      log::Error("sync of inode {} chunk {:016X} failed: {}", inode, id, s.ToString());
      if (result.ok()) result = s;
    }
  }
  return result;
}

Status ChunkIo::SyncChunk(uint32_t inode, const Unsynced& chunk) {
  proto::ChunkLocation loc = chunk.loc;
  Status last;
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(Millis(std::min(50 << std::min(attempt, 5), 1000)));
      // Where the chunk is now. Another chunk in its place (truncated away, or copied on
      // write after a snapshot: the copy was synced when made) or a newer version (each copy
      // synced its file when renamed to it) leaves nothing of ours unsynced.
      auto now = Locate(inode, chunk.index, /*refresh=*/true, 0);
      if (!now.ok()) {
        last = now.status();
        if (!ChunkIo::Transient(last.code())) return last;
        continue;
      }
      if (now->chunkid != loc.chunkid || now->version != loc.version) return Status::Ok();
      loc = *now;
    }
    auto w = OpenChain(inode, chunk.index, loc);
    last = w.ok() ? (*w)->Sync() : w.status();
    if (last.ok()) return last;
    if (!RetrySync(last.code())) return last;
  }
  return last;
}

}  // namespace elk::client
