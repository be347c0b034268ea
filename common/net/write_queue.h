#pragma once
// The send side of a connection: whole frames waiting for the socket. Flushing gathers up
// to kMaxIov pieces into one sendmsg (writev with MSG_NOSIGNAL, so a vanished peer is an
// EPIPE error value rather than a SIGPIPE), so many small frames leave in one syscall.
// Payloads are moved in, never copied again.

#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "common/status.h"

namespace elk::net {

class WriteQueue {
 public:
  static constexpr size_t kMaxIov = 1024;  // IOV_MAX on Linux

  struct FlushResult {
    size_t bytes = 0;      // written by this call
    size_t syscalls = 0;   // sendmsg calls made
    bool blocked = false;  // the socket is full and the queue is not empty
  };

  // Header then payload; the payload vector is kept as is.
  void Push(uint32_t type, std::vector<uint8_t>&& payload);
  // Header and a copy of the payload in one piece: one iovec per frame when flushing.
  void PushCopy(uint32_t type, std::span<const uint8_t> payload);
  // A frame the caller already encoded, header included.
  void PushEncoded(std::vector<uint8_t>&& frame);
  // Writes until the queue is empty or the socket would block.
  Result<FlushResult> FlushTo(int fd);
  void Clear();

  size_t bytes() const { return bytes_; }
  size_t frames() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::array<uint8_t, 8> head{};
    uint8_t head_len = 0;  // 0 when the body already holds the header
    std::vector<uint8_t> body;
    size_t size() const { return head_len + body.size(); }
  };
  size_t GatherIov(::iovec* iov) const;
  void Advance(size_t n);

  std::deque<Entry> entries_;
  size_t front_sent_ = 0;  // bytes of entries_.front() already written
  size_t bytes_ = 0;       // unsent bytes in the queue
};

}  // namespace elk::net
