#include "mount/fuse/write_behind.h"

#include "common/log/log.h"

namespace elk::mount {

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
  std::unique_lock lock(mu_);
  if (!error_.ok()) return error_;
  const bool contiguous = offset == filling_.offset + filling_.data.size();
  if (!filling_.data.empty() && (!contiguous || filling_.data.size() + data.size() > buffer_bytes_))
    Submit(lock);
  if (!error_.ok()) return error_;
  if (filling_.data.empty()) {
    filling_.offset = offset;
    filling_.data.reserve(std::max(buffer_bytes_, data.size()));
  }
  filling_.data.insert(filling_.data.end(), data.begin(), data.end());
  return Status::Ok();
}

void WriteBehind::Submit(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] { return queue_.size() < max_queued_ || !error_.ok(); });
  if (!error_.ok()) {
    filling_.data.clear();
    return;
  }
  queue_.push_back(std::move(filling_));
  filling_ = Piece{};
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  cv_.notify_all();
}

Status WriteBehind::Drain() {
  std::unique_lock lock(mu_);
  if (!worker_.joinable() && queue_.empty() && !filling_.data.empty()) {
    // Nothing in the background (a small file, or the tail after an fsync): write here and
    // spare a thread.
    Piece piece = std::move(filling_);
    filling_ = Piece{};
    lock.unlock();
    Status s = io_.Write(inode_, piece.offset, piece.data);
    lock.lock();
    if (!s.ok() && error_.ok()) error_ = s;
  } else if (!filling_.data.empty()) {
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
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    Piece piece = std::move(queue_.front());
    queue_.pop_front();
    if (!error_.ok()) {
      cv_.notify_all();
      continue;  // the file already failed; this piece cannot make it whole
    }
    writing_ = true;
    cv_.notify_all();
    lock.unlock();
    Status s = io_.Write(inode_, piece.offset, piece.data);
    lock.lock();
    writing_ = false;
    if (!s.ok() && error_.ok()) error_ = s;
    cv_.notify_all();
  }
}

}  // namespace elk::mount
