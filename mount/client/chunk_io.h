#pragma once
// libelkclient: file data. "Read/write bytes at an offset of an inode", for mfsmount and the
// iSCSI target. Reads ask the master where a chunk lives (cached with its version, dropped
// on any error), read one copy and verify every piece's CRC, failing over to the next copy.
// Writes lock the chunk at the master (which returns the write chain), stream 64 KiB block
// pieces down the chain with many in flight, wait for every ack, then end the write at the
// master with the new length. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/file_limits.h"
#include "common/net/blocking_client.h"
#include "common/protocol/records.h"
#include "common/status.h"
#include "mount/client/master_session.h"

namespace elk::client {

struct ChunkIoOptions {
  Millis io_timeout{30000};  // one chunkserver answer
  int attempts = 8;          // per chunk, with back-off, before giving up
  // How long a chunk operation waits for a master that has no chunkserver connected yet (it
  // was just started or elected: they come within their MASTER_TIMEOUT and reconnection
  // delay, 15 s with MooseFS's defaults), without spending attempts.
  Millis chunkserver_wait{30000};
  uint32_t max_in_flight = 64;  // write-data frames sent before waiting for acks
  // Chunks remembered for Sync (fsync) in all; past it the oldest is synced at once (by the
  // write that went past) and forgotten, so a mount that never fsyncs holds a bounded table.
  size_t max_unsynced = 65536;
};

class ChunkIo {
 public:
  explicit ChunkIo(MasterSession& master, ChunkIoOptions options = {})
      : master_(master), options_(options) {}
  ~ChunkIo();

  // Every call checks offsets against kMaxFileLength (common/file_limits.h): a write or
  // chunk index past it is kTooBig / kIndexTooBig (EFBIG), a read there finds the end.

  // Up to `size` bytes at `offset`; fewer at the end of the file (holes read as zeros).
  Result<std::vector<uint8_t>> Read(uint32_t inode, uint64_t offset, uint32_t size);
  // Writes `data` at `offset`, extending the file when it ends beyond its length.
  Status Write(uint32_t inode, uint64_t offset, std::span<const uint8_t> data);
  // Writes pieces given at file offsets, applied in their order where they overlap: one
  // write session (lock, one pass down the chain, unlock) per chunk they touch, however
  // many pieces land in it - what scattered small writes need.
  struct FilePiece {
    uint64_t offset = 0;
    std::span<const uint8_t> data;
  };
  Status WriteScattered(uint32_t inode, std::span<const FilePiece> pieces);
  // Drops the cached locations of a file (after a truncate, for example).
  void Forget(uint32_t inode);
  // fsync: every chunk of the file written through this ChunkIo since its last Sync is on
  // the disk of each of its copies when this returns Ok (a CLTOCS_WRITE_SYNC down each
  // chunk's chain; see chunk_sync.cc). A chunk that moved on meanwhile (a newer version,
  // another chunk in its place) needs none: a version change syncs every copy. A failed sync
  // is reported once, as a local file system reports a write-back error once.
  // Chunks remembered past options.max_unsynced are synced by the write that noted one
  // more and forgotten; a failure there is what this file's next Sync reports (or, when
  // too many files have such a failure waiting, the next Sync of any file).
  Status Sync(uint32_t inode);
  // Chunks remembered for Sync now (bounded by options.max_unsynced).
  size_t unsynced_chunks();

  // Write grants held across calls, for a block device that writes small pieces of one
  // chunk many times: the master locks chunk `index` once (BeginGrant), a chain writer
  // (OpenChain) writes it any number of times at that version, and EndGrant unlocks it.
  // Readers of this ChunkIo are pointed at the granted version meanwhile.
  Result<protocol::ChunkLocation> BeginGrant(uint32_t inode, uint32_t index);
  struct Piece {
    uint32_t offset = 0;
    std::span<const uint8_t> data;
  };
  // One write session down a chunk's chain, kept open between passes, so the chain is
  // connected and the chunk opened on every copy once, not once per pass. Used by one
  // thread at a time.
  class ChainWriter {
   public:
    ChainWriter(ChunkIo& io, uint32_t inode, uint32_t index, protocol::ChunkLocation loc,
                std::unique_ptr<net::BlockingClient> c)
        : io_(io), inode_(inode), index_(index), loc_(std::move(loc)), conn_(std::move(c)) {}
    ChainWriter(const ChainWriter&) = delete;
    ChainWriter& operator=(const ChainWriter&) = delete;
    ~ChainWriter() { End(); }
    // The pieces, applied in order, are on every copy when this returns Ok. After an
    // error the writer is spent: every later Write fails.
    Status Write(std::span<const Piece> pieces);
    // Every copy has fdatasynced the chunk file (all the writes so far) when this returns Ok.
    Status Sync();
    // Tells the chain the session is over and gives the connection back for reuse.
    void End();

   private:
    Status ReceiveOne();
    Status AwaitAll();

    ChunkIo& io_;
    const uint32_t inode_;
    const uint32_t index_;
    const protocol::ChunkLocation loc_;
    std::unique_ptr<net::BlockingClient> conn_;  // null once spent or ended
    uint32_t sent_ = 0, acked_ = 0;
    bool init_acked_ = false;
  };
  // Starts a write session on the grant's chain (not waiting for the chain's answer:
  // the first Write does). `inode` and `index` name the chunk for Sync.
  Result<std::unique_ptr<ChainWriter>> OpenChain(uint32_t inode, uint32_t index,
                                                 const protocol::ChunkLocation& grant);
  // `file_length` 0 leaves the length as it is.
  Status EndGrant(uint32_t inode, const protocol::ChunkLocation& grant, uint64_t file_length);
  // Drops chunks [first, first + count) of the file at the master (holes that read as
  // zeros) and forgets their cached locations.
  Status PunchChunks(uint32_t inode, uint32_t first, uint32_t count);
  // Whether chunk `index` of the file exists (false: a hole, reading zeros), asked of the
  // master now, not from the location cache.
  Result<bool> HasChunk(uint32_t inode, uint32_t index);
  // Answers worth waiting a moment and asking again for.
  static bool Transient(Code c);

 private:
  using Conn = std::unique_ptr<net::BlockingClient>;
  struct Idle {
    Conn conn;
    std::chrono::steady_clock::time_point since;
  };
  Result<protocol::ChunkLocation> Locate(uint32_t inode, uint32_t index, bool refresh,
                                         uint64_t need_length);
  Status ReadChunk(uint32_t inode, uint32_t index, uint32_t offset, uint32_t size, uint8_t* out,
                   uint64_t* file_length);
  Status ReadCopy(const protocol::ServerAddr& server, const protocol::ChunkLocation& loc,
                  uint32_t offset, uint32_t size, uint8_t* out);
  Status WriteChunk(uint32_t inode, uint32_t index, std::span<const Piece> pieces);
  Status WriteChain(uint32_t inode, uint32_t index, const protocol::ChunkLocation& loc,
                    std::span<const Piece> pieces);
  // A chunk written and not yet synced (chunk_sync.cc).
  struct Unsynced {
    uint32_t index = 0;
    protocol::ChunkLocation loc;
    uint64_t seq = 0;  // its place in unsynced_order_
  };
  void NoteUnsynced(uint32_t inode, uint32_t index, const protocol::ChunkLocation& loc);
  // Syncs chunks taken out of the table for room; a failure waits for the file's Sync.
  void SyncEvicted(std::vector<std::pair<uint32_t, Unsynced>> evicted);
  Status SyncChunk(uint32_t inode, const Unsynced& chunk);
  Result<Conn> Borrow(const protocol::ServerAddr& server);
  void Return(const protocol::ServerAddr& server, Conn conn);

  MasterSession& master_;
  ChunkIoOptions options_;
  std::mutex mu_;
  std::map<std::pair<uint32_t, uint32_t>, protocol::ChunkLocation> locations_;
  std::map<uint64_t, std::vector<Idle>> idle_;
  std::map<uint32_t, std::map<uint64_t, Unsynced>> unsynced_;         // inode -> chunk id -> chunk
  std::map<uint64_t, std::pair<uint32_t, uint64_t>> unsynced_order_;  // seq -> inode, chunk id
  uint64_t next_seq_ = 0;
  std::map<uint32_t, uint32_t> evicting_;  // inode -> its chunks being synced for room
  std::condition_variable evicted_cv_;
  std::map<uint32_t, Status> sync_errors_;  // failed for room, to report at the file's Sync
  Status unplaced_sync_error_;              // one that found sync_errors_ full
};

}  // namespace elk::client
