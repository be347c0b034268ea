#include "common/net/write_queue.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "common/protocol/frame.h"

namespace elk::net {

void WriteQueue::Push(uint32_t type, std::vector<uint8_t>&& payload) {
  Entry e;
  protocol::EncodeFrameHeader({type, static_cast<uint32_t>(payload.size())}, e.head.data());
  e.head_len = 8;
  e.body = std::move(payload);
  bytes_ += e.size();
  entries_.push_back(std::move(e));
}

void WriteQueue::PushCopy(uint32_t type, std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame(protocol::kFrameHeaderSize + payload.size());
  protocol::EncodeFrameHeader({type, static_cast<uint32_t>(payload.size())}, frame.data());
  std::copy(payload.begin(), payload.end(), frame.begin() + protocol::kFrameHeaderSize);
  PushEncoded(std::move(frame));
}

void WriteQueue::PushEncoded(std::vector<uint8_t>&& frame) {
  if (frame.empty()) return;
  Entry e;
  e.body = std::move(frame);
  bytes_ += e.size();
  entries_.push_back(std::move(e));
}

void WriteQueue::Clear() {
  entries_.clear();
  front_sent_ = 0;
  bytes_ = 0;
}

size_t WriteQueue::GatherIov(iovec* iov) const {
  size_t count = 0;
  size_t skip = front_sent_;
  for (const Entry& e : entries_) {
    if (count + 2 > kMaxIov) break;
    if (skip < e.head_len) {
      iov[count++] = {const_cast<uint8_t*>(e.head.data()) + skip, e.head_len - skip};
      skip = 0;
    } else {
      skip -= e.head_len;
    }
    if (skip < e.body.size()) {
      iov[count++] = {const_cast<uint8_t*>(e.body.data()) + skip, e.body.size() - skip};
    }
    skip = 0;
  }
  return count;
}

void WriteQueue::Advance(size_t n) {
  bytes_ -= n;
  while (n > 0) {
    size_t left = entries_.front().size() - front_sent_;
    if (n < left) {
      front_sent_ += n;
      return;
    }
    n -= left;
    entries_.pop_front();
    front_sent_ = 0;
  }
}

Result<WriteQueue::FlushResult> WriteQueue::FlushTo(int fd) {
  FlushResult r;
  std::array<iovec, kMaxIov> iov;
  while (!entries_.empty()) {
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = GatherIov(iov.data());
    size_t want = 0;
    for (size_t i = 0; i < msg.msg_iovlen; ++i)
      want += iov[i].iov_len;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    ++r.syscalls;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        r.blocked = true;
        return r;
      }
      return Status::FromErrno(errno, "send");
    }
    const size_t written = static_cast<size_t>(n);
    Advance(written);
    r.bytes += written;
    if (written < want) {
      r.blocked = true;  // a short write means the socket buffer is full
      return r;
    }
  }
  return r;
}

}  // namespace elk::net
