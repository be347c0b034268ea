// ChunkIo::Sync: what fsync(2) on a mount and SYNCHRONIZE CACHE on a volume wait for. Every
// chunk a successful chain write touched is remembered per file; Sync sends each one's chain
// a CLTOCS_WRITE_SYNC in a write session of its own (the chain was usually ended already:
// the mount ends one per write-behind batch), and each chunkserver fdatasyncs the chunk file
// before it answers, after every write it acknowledged before.
//
// The table is bounded (ChunkIoOptions::max_unsynced): past it the oldest chunk is synced by
// the write that went past and forgotten, so fsync keeps its promise for every file and a
// mount that never fsyncs does not grow without end.

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

// Where a chunk of the file is now, by CHUNK_INFO: READ_CHUNK would need the file open for
// reading, and a file opened write-only is fsynced too. Only valid copies are the chain.
Result<proto::ChunkLocation> LocateForSync(MasterSession& master, uint32_t inode,
                                           uint32_t index) {
  auto info = master.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, inode, index});
  if (!info.ok()) return info.status();
  proto::ChunkLocation loc{info->chunkid, info->version, 0, {}};
  for (const proto::ChunkCopyInfo& c : info->copies) {
    if (c.valid) loc.copies.push_back(c.server);
  }
  return loc;
}

}  // namespace

void ChunkIo::NoteUnsynced(uint32_t inode, uint32_t index, const proto::ChunkLocation& loc) {
  std::vector<std::pair<uint32_t, Unsynced>> evicted;
  {
    std::lock_guard lock(mu_);
    auto [it, fresh] = unsynced_[inode].try_emplace(loc.chunkid);
    if (!fresh) unsynced_order_.erase(it->second.seq);
    it->second = Unsynced{index, loc, next_seq_};
    unsynced_order_.emplace(next_seq_++, std::pair{inode, loc.chunkid});
    // The table is bounded: the oldest entries are synced now, by this writer (as a local
    // file system makes writers write back when too much is dirty), and forgotten.
    while (unsynced_order_.size() > std::max<size_t>(options_.max_unsynced, 1)) {
      const auto [old_inode, old_id] = unsynced_order_.begin()->second;
      unsynced_order_.erase(unsynced_order_.begin());
      auto file = unsynced_.find(old_inode);
      auto chunk = file->second.find(old_id);
      evicted.emplace_back(old_inode, chunk->second);
      file->second.erase(chunk);
      if (file->second.empty()) unsynced_.erase(file);
      ++evicting_[old_inode];
    }
  }
  if (!evicted.empty()) SyncEvicted(std::move(evicted));
}

void ChunkIo::SyncEvicted(std::vector<std::pair<uint32_t, Unsynced>> evicted) {
  for (const auto& [inode, chunk] : evicted) {
    Status s = SyncChunk(inode, chunk);
    std::lock_guard lock(mu_);
    if (!s.ok()) {
      log::Error("sync of inode {} chunk {:016X} (for room) failed: {}", inode, chunk.loc.chunkid,
                 s.ToString());
      // Kept for the file's next Sync; a table of failures as large as the one of chunks
      // lets the next Sync of any file report it instead (an error too many, never one
      // too few).
      if (sync_errors_.contains(inode) || sync_errors_.size() < options_.max_unsynced)
        sync_errors_.try_emplace(inode, s);
      else if (unplaced_sync_error_.ok())
        unplaced_sync_error_ = s;
    }
    if (--evicting_[inode] == 0) evicting_.erase(inode);
    evicted_cv_.notify_all();
  }
}

size_t ChunkIo::unsynced_chunks() {
  std::lock_guard lock(mu_);
  return unsynced_order_.size();
}

Status ChunkIo::Sync(uint32_t inode) {
  std::map<uint64_t, Unsynced> chunks;
  Status result;
  {
    std::unique_lock lock(mu_);
    // Chunks of the file being synced for room count as ours: wait for them.
    evicted_cv_.wait(lock, [&] { return !evicting_.contains(inode); });
    if (auto e = sync_errors_.find(inode); e != sync_errors_.end()) {
      result = e->second;
      sync_errors_.erase(e);
    } else if (!unplaced_sync_error_.ok()) {
      result = std::exchange(unplaced_sync_error_, Status::Ok());
    }
    auto it = unsynced_.find(inode);
    if (it == unsynced_.end()) return result;
    chunks = std::move(it->second);
    unsynced_.erase(it);
    for (const auto& [id, chunk] : chunks)
      unsynced_order_.erase(chunk.seq);
  }
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
      auto now = LocateForSync(master_, inode, chunk.index);
      if (!now.ok()) {
        last = now.status();
        // The file is gone (an open file is kept until closed, so nobody can fsync it):
        // nothing is left to sync, and no error should wait for a later file of that inode.
        if (last.code() == Code::kNoEnt) return Status::Ok();
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
