#include "common/net/blocking_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/net/socket_options.h"

namespace elk::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Waits until fd is ready for `events` or the deadline passes.
Status WaitFor(int fd, short events, SteadyClock::time_point deadline, const char* what) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return Status(Code::kTimeout, fmt::format("{}: timed out", what));
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 3600 * 1000)));
    if (rc > 0) return Status::Ok();
    if (rc < 0 && errno != EINTR) return Status::FromErrno(errno, what);
  }
}

}  // namespace

Result<BlockingClient> BlockingClient::Connect(const Address& to, Millis timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  auto fd = NewTcpSocket();
  if (!fd.ok()) return fd.status();
  sockaddr_in sa = to.ToSockaddr();
  if (::connect(fd->get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    if (errno != EINPROGRESS) {
      return Status(Code::kCantConnect,
                    Status::FromErrno(errno, fmt::format("connect to {}", to)).message());
    }
    Status s = WaitFor(fd->get(), POLLOUT, deadline, "connect");
    if (!s.ok()) {
      return Status(s.code(), fmt::format("connect to {}: {}", to, s.message()));
    }
    if (int err = PendingSocketError(fd->get()); err != 0) {
      return Status(Code::kCantConnect,
                    Status::FromErrno(err, fmt::format("connect to {}", to)).message());
    }
  }
  if (Status s = SetNoDelay(fd->get()); !s.ok()) return s;
  return BlockingClient(std::move(*fd), to);
}

Status BlockingClient::SendRaw(std::span<const uint8_t> bytes, Millis timeout) {
  if (!fd_.valid()) return Status(Code::kDisconnected, "not connected");
  const auto deadline = SteadyClock::now() + timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ELK_RETURN_IF_ERROR(WaitFor(fd_.get(), POLLOUT, deadline, "send"));
      continue;
    }
    return Status::FromErrno(errno, fmt::format("send to {}", peer_));
  }
  return Status::Ok();
}

Status BlockingClient::Send(uint32_t type, std::span<const uint8_t> payload, Millis timeout) {
  if (payload.size() > protocol::kAbsoluteMaxPayload) {
    return Status(Code::kTooBig, fmt::format("payload of {} bytes", payload.size()));
  }
  std::vector<uint8_t> frame(protocol::kFrameHeaderSize + payload.size());
  protocol::EncodeFrameHeader({type, static_cast<uint32_t>(payload.size())}, frame.data());
  std::copy(payload.begin(), payload.end(), frame.begin() + protocol::kFrameHeaderSize);
  return SendRaw(frame, timeout);
}

Status BlockingClient::ReadExactly(uint8_t* out, size_t n, SteadyClock::time_point deadline) {
  auto take_buffered = [&] {
    const size_t k = std::min(n, in_end_ - in_begin_);
    if (k == 0) return;  // in_ may not be allocated yet
    std::memcpy(out, in_.data() + in_begin_, k);
    in_begin_ += k;
    out += k;
    n -= k;
  };
  take_buffered();
  while (n > 0) {
    const bool direct = n >= kInBuffer / 2;
    if (!direct && in_.empty()) in_.resize(kInBuffer);
    ssize_t got =
        ::recv(fd_.get(), direct ? out : in_.data(), direct ? n : in_.size(), MSG_DONTWAIT);
    if (got > 0) {
      if (direct) {
        out += got;
        n -= static_cast<size_t>(got);
      } else {
        in_begin_ = 0;
        in_end_ = static_cast<size_t>(got);
        take_buffered();
      }
      continue;
    }
    if (got == 0) {
      return Status(Code::kDisconnected, fmt::format("{} closed the connection", peer_));
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Status::FromErrno(errno, fmt::format("recv from {}", peer_));
    }
    ELK_RETURN_IF_ERROR(WaitFor(fd_.get(), POLLIN, deadline, "receive"));
  }
  return Status::Ok();
}

Result<Frame> BlockingClient::ReceiveAny(Millis timeout) {
  if (!fd_.valid()) return Status(Code::kDisconnected, "not connected");
  const auto deadline = SteadyClock::now() + timeout;
  uint8_t head[protocol::kFrameHeaderSize];
  ELK_RETURN_IF_ERROR(ReadExactly(head, sizeof(head), deadline));
  protocol::FrameHeader h = protocol::DecodeFrameHeader(head);
  if (h.length > max_payload_) {
    Close();  // the stream cannot be resynchronised
    return Status(Code::kProtocol,
                  fmt::format("frame type {} of {} bytes from {} is over the limit of {}", h.type,
                              h.length, peer_, max_payload_));
  }
  Frame f{h.type, std::vector<uint8_t>(h.length)};
  if (Status s = ReadExactly(f.payload.data(), f.payload.size(), deadline); !s.ok()) {
    Close();  // half a frame was read: the stream cannot be resynchronised
    return s;
  }
  return f;
}

Result<Frame> BlockingClient::Receive(Millis timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto left = std::chrono::ceil<Millis>(deadline - SteadyClock::now());
    if (left.count() <= 0) return Status(Code::kTimeout, "receive: timed out");
    auto f = ReceiveAny(left);
    if (!f.ok() || f->type != 0 || !f->payload.empty()) return f;
  }
}

}  // namespace elk::net
