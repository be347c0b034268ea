#include "mount/fuse/write_behind.h"

#include <algorithm>
#include <atomic>

#include "common/log/log.h"

namespace elk::mount {
namespace {
// Every writer of the mount ticks the same clock, so one value taken before a request orders
// it against each writer's last write.
std::atomic<uint64_t> g_clock{1};
}  // namespace

uint64_t WriteBehind::Now() {
  return g_clock.load();
}

uint64_t WriteBehind::GrownLength(uint64_t since) {
  std::lock_guard lock(mu_);
  if (filling_.bytes != 0 || !queue_.empty() || writing_) return appended_end_;
  return written_at_ > since ? written_end_ : 0;
}

void WriteBehind::NoteIfAllWritten() {
  if (filling_.bytes != 0 || !queue_.empty() || writing_) return;
  written_end_ = error_.ok() ? appended_end_ : 0;
  appended_end_ = 0;
  written_at_ = ++g_clock;
}

WriteBehind::~WriteBehind() {
  Status s = Drain();
  if (!s.ok()) log::Error("write of inode {} failed: {}", inode_, s.ToString());
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status WriteBehind::Append(uint64_t offset, std::span<const uint8_t> data) {
  if (!FitsInMaxLength(offset, data.size())) return Status(Code::kTooBig);
  std::unique_lock lock(mu_);
  if (!error_.ok()) return error_;
  if (filling_.bytes != 0 &&
      (filling_.bytes + data.size() > buffer_bytes_ || filling_.pieces.size() >= kMaxPieces)) {
    Submit(lock);
  }
  if (!error_.ok()) return error_;
  std::vector<Piece>& pieces = filling_.pieces;
  if (pieces.empty() || offset != pieces.back().offset + pieces.back().data.size()) {
    pieces.push_back({offset, {}});
    // A piece that may grow (sequential writes) gets room for the whole buffer at once.
    pieces.back().data.reserve(pieces.size() == 1 ? std::max(buffer_bytes_, data.size())
                                                  : data.size());
  }
  pieces.back().data.insert(pieces.back().data.end(), data.begin(), data.end());
  filling_.bytes += data.size();
  appended_end_ = std::max(appended_end_, offset + data.size());
  return Status::Ok();
}

Status WriteBehind::WriteBatch(const Batch& batch) {
  std::vector<client::ChunkIo::FilePiece> pieces;
  pieces.reserve(batch.pieces.size());
  for (const Piece& p : batch.pieces)
    pieces.push_back({p.offset, p.data});
  return io_.WriteScattered(inode_, pieces);
}

void WriteBehind::Submit(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] { return queue_.size() < max_queued_ || !error_.ok(); });
  if (!error_.ok()) {
    filling_ = Batch{};
    return;
  }
  queue_.push_back(std::move(filling_));
  filling_ = Batch{};
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  cv_.notify_all();
}

Status WriteBehind::Drain() {
  std::unique_lock lock(mu_);
  if (!worker_.joinable() && queue_.empty() && !writing_ && filling_.bytes != 0) {
    // Nothing in the background (a small file, or the tail after an fsync): write here and
    // spare a thread.
    Batch batch = std::move(filling_);
    filling_ = Batch{};
    writing_ = true;
    lock.unlock();
    Status s = WriteBatch(batch);
    lock.lock();
    writing_ = false;
    if (!s.ok() && error_.ok()) error_ = s;
    NoteIfAllWritten();
    cv_.notify_all();
  } else if (filling_.bytes != 0) {
    Submit(lock);
  }
  cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
  Status s = error_;
  error_ = Status::Ok();
  return s;
}

void WriteBehind::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    // One writer at a time: a Drain may be writing a batch inline, and batches must reach
    // the chunks in order.
    cv_.wait(lock, [&] { return (stopping_ && !writing_) || (!queue_.empty() && !writing_); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    if (!error_.ok()) {
      NoteIfAllWritten();
      cv_.notify_all();
      continue;  // the file already failed; this piece cannot make it whole
    }
    writing_ = true;
    cv_.notify_all();
    lock.unlock();
    Status s = WriteBatch(batch);
    lock.lock();
    writing_ = false;
    if (!s.ok() && error_.ok()) error_ = s;
    NoteIfAllWritten();
    cv_.notify_all();
  }
}

}  // namespace elk::mount
