#pragma once
// Write-behind for one file, shared by every descriptor of it in this mount. Writes gather in
// a batch - contiguous ones in one piece, scattered ones as many pieces - up to the buffer
// size; a full batch goes to a worker thread that writes it through ChunkIo (one write
// session per chunk it touches, however many pieces land there) while the application fills
// the next one, so copying from the kernel and streaming down the chunkserver chain overlap
// instead of taking turns, and 4 KiB random writes cost a chunk session per batch rather
// than per write. Overlapping pieces are applied in the order they were appended. A failed
// background write is kept and returned by the next Append and by Drain, the way a local file
// system reports a write-back error at the next write, fsync or close; pieces queued after a
// failure are dropped, since their file is already damaged.
//
// Until a write past the end reaches the master, the master answers the file's old length;
// GrownLength says what this mount's writes have made it, so an attribute reply (a lookup, a
// chmod) does not shrink the file in the kernel (see ElkFuse::WithOwnWrites).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "common/status.h"
#include "mount/client/chunk_io.h"

namespace elk::mount {

class WriteBehind {
 public:
  // buffer_bytes: the size of one piece; max_queued: full pieces waiting behind the one being
  // written, after which Append waits (the memory bound is (max_queued + 2) * buffer_bytes).
  WriteBehind(client::ChunkIo& io, uint32_t inode, size_t buffer_bytes, size_t max_queued = 1)
      : io_(io), inode_(inode), buffer_bytes_(buffer_bytes), max_queued_(max_queued) {}
  ~WriteBehind();  // writes what is still buffered; errors then are only logged
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  Status Append(uint64_t offset, std::span<const uint8_t> data);
  // Returns once everything appended so far is written, with the first error since the last
  // Drain (and forgets it).
  Status Drain();

  // A point in the write-behind's history, taken before asking the master for attributes.
  static uint64_t Now();
  // The end of what this writer holds, or of what it finished writing after `since` (the
  // master's answer to a request sent at `since` may predate those writes); 0 if neither.
  uint64_t GrownLength(uint64_t since);

 private:
  struct Piece {
    uint64_t offset = 0;
    std::vector<uint8_t> data;
  };
  struct Batch {
    std::vector<Piece> pieces;
    size_t bytes = 0;
  };
  // A batch holds at most this many pieces (each costs a frame down the chain).
  static constexpr size_t kMaxPieces = 4096;
  Status WriteBatch(const Batch& batch);
  void Submit(std::unique_lock<std::mutex>& lock);
  void Work();
  // Called with mu_ held after a batch is written or dropped.
  void NoteIfAllWritten();

  client::ChunkIo& io_;
  const uint32_t inode_;
  const size_t buffer_bytes_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  Batch filling_;
  std::deque<Batch> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  Status error_;
  uint64_t appended_end_ = 0;  // the highest end appended since everything was last written
  uint64_t written_end_ = 0;   // appended_end_ as it was when everything was last written
  uint64_t written_at_ = 0;    // Now() then
  std::thread worker_;
};

}  // namespace elk::mount
