#include "common/net/connection.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/log/log.h"
#include "common/net/socket_options.h"

namespace elk::net {
namespace {

using protocol::kAbsoluteMaxPayload;
using protocol::kFrameHeaderSize;

// Reads ask for at least this much, and for the rest of a big frame up to kMaxReadSize,
// so a 1 MiB frame arrives in a few syscalls straight into its final place.
constexpr size_t kReadSize = 64 << 10;
constexpr size_t kMaxReadSize = 8 << 20;
// Reads per readiness event: level-triggered epoll calls back for the rest, so one busy
// peer gets a slice and the others get their turn.
constexpr int kMaxReadsPerEvent = 8;
// A read buffer bigger than this is released once empty (after an unusually big frame).
constexpr size_t kKeepReadCapacity = 2 << 20;

}  // namespace

Result<std::shared_ptr<Connection>> Connection::Create(EventLoop& loop, UniqueFd fd, Address peer,
                                                       ConnectionOptions options,
                                                       ConnectionHandlers handlers) {
  if (!fd.valid()) return Status(Code::kInval, "Connection::Create: no socket");
  // The constructor is private so that every Connection is owned by a shared_ptr.
  std::shared_ptr<Connection> conn(
      new Connection(loop, std::move(fd), peer, std::move(options), std::move(handlers)));
  ELK_RETURN_IF_ERROR(conn->Start());
  return conn;
}

Connection::Connection(EventLoop& loop, UniqueFd fd, Address peer, ConnectionOptions options,
                       ConnectionHandlers handlers)
    : loop_(loop),
      fd_(std::move(fd)),
      peer_(peer),
      name_(peer.ToString()),
      options_(std::move(options)),
      handlers_(std::move(handlers)) {}

Connection::~Connection() {
  if (state_ == State::kClosed) return;
  loop_.Unwatch(fd_.get());
  loop_.Cancel(tick_timer_);
  loop_.Cancel(drain_timer_);
  loop_.Cancel(hello_timer_);
}

Status Connection::Start() {
  ELK_RETURN_IF_ERROR(SetNonBlocking(fd_.get()));
  if (Status s = SetNoDelay(fd_.get()); !s.ok()) {
    log::Debug("{}: {}", Who(), s.ToString());  // not TCP (a socketpair in a test)
  }
  last_send_ = last_receive_ = Clock::now();
  std::weak_ptr<Connection> weak = weak_from_this();
  interest_ = kReadable;
  ELK_RETURN_IF_ERROR(loop_.Watch(fd_.get(), interest_, [weak](uint32_t ready) {
    if (auto self = weak.lock()) self->OnIo(ready);
  }));
  if (options_.hello_timeout.count() > 0) {
    hello_timer_ = loop_.RunAfter(options_.hello_timeout, [weak] {
      auto self = weak.lock();
      if (!self || self->trusted_) return;
      self->hello_timer_ = kNoTimer;
      self->Close(Status(Code::kTimeout, fmt::format("no hello within {} ms",
                                                     self->options_.hello_timeout.count())));
    });
  }
  std::chrono::milliseconds period{0};
  for (auto d : {options_.keepalive, options_.idle_timeout}) {
    if (d.count() > 0) period = period.count() > 0 ? std::min(period, d) : d;
  }
  if (period.count() > 0) {
    // A quarter of the shortest timeout: a NOP or an idle close is late by at most that.
    auto tick = std::clamp<std::chrono::milliseconds>(period / 4, std::chrono::milliseconds(5),
                                                      std::chrono::milliseconds(1000));
    tick_timer_ = loop_.RunEvery(tick, [weak] {
      if (auto self = weak.lock()) self->OnTick();
    });
  }
  return Status::Ok();
}

void Connection::OnIo(uint32_t ready) {
  if ((ready & kWritable) && state_ != State::kClosed) Flush();
  if (state_ == State::kOpen && !Paused() && (ready & (kReadable | kHangup | kError))) {
    ReadSome();
  } else if (state_ != State::kClosed && (ready & (kHangup | kError))) {
    // Not reading (back-pressure, held or draining), so read() cannot report it: ask the socket.
    int err = PendingSocketError(fd_.get());
    Close(err != 0 ? Status::FromErrno(err, "socket")
                   : Status(Code::kDisconnected, "connection closed by peer"));
  }
}

void Connection::ReadSome() {
  for (int i = 0; i < kMaxReadsPerEvent; ++i) {
    if (state_ != State::kOpen || Paused()) return;
    size_t want = kReadSize;
    if (next_frame_size_ > in_.size()) {
      want = std::clamp(next_frame_size_ - in_.size(), kReadSize, kMaxReadSize);
    }
    std::span<uint8_t> room = in_.PrepareWrite(want);
    ssize_t n = ::read(fd_.get(), room.data(), room.size());
    ++stats_.read_calls;
    if (n > 0) {
      in_.Commit(static_cast<size_t>(n));
      stats_.bytes_received += static_cast<uint64_t>(n);
      last_receive_ = Clock::now();
      ProcessFrames();
      if (static_cast<size_t>(n) < room.size()) return;  // drained the socket
      continue;
    }
    if (n == 0) {
      Close(Status(Code::kDisconnected, "connection closed by peer"));
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    Close(Status::FromErrno(errno, "read"));
    return;
  }
}

bool Connection::CheckHeader(const protocol::FrameHeader& h) {
  if (h.type == kNopType) {
    if (h.length == 0) return true;
    Close(Status(Code::kProtocol, fmt::format("NOP frame with a {}-byte payload", h.length)));
    return false;
  }
  uint32_t limit = options_.max_payload ? options_.max_payload(h.type) : kAbsoluteMaxPayload;
  if (limit == 0) {
    Close(Status(Code::kProtocol, fmt::format("unknown frame type {}", h.type)));
    return false;
  }
  limit = std::min(limit, kAbsoluteMaxPayload);
  if (!trusted_ && options_.untrusted_max_payload > 0 &&
      h.length > options_.untrusted_max_payload) {
    Close(Status(Code::kProtocol,
                 fmt::format("frame type {} of {} bytes before the hello (at most {} then)", h.type,
                             h.length, options_.untrusted_max_payload)));
    return false;
  }
  if (h.length > limit) {
    Close(Status(Code::kProtocol, fmt::format("frame type {} of {} bytes is over its limit of {}",
                                              h.type, h.length, limit)));
    return false;
  }
  return true;
}

void Connection::ProcessFrames() {
  next_frame_size_ = 0;
  while (state_ == State::kOpen && !Paused()) {
    std::span<const uint8_t> data = in_.readable();
    if (data.size() < kFrameHeaderSize) break;
    protocol::FrameHeader h = protocol::DecodeFrameHeader(data.data());
    if (!CheckHeader(h)) return;
    const size_t total = kFrameHeaderSize + h.length;
    if (data.size() < total) {
      next_frame_size_ = total;
      return;
    }
    ++stats_.frames_received;
    if (h.type == kNopType) {
      ++stats_.nops_received;
      in_.Consume(total);
      continue;
    }
    Status s = Status::Ok();
    if (handlers_.on_frame) {
      s = handlers_.on_frame(*this,
                             protocol::FrameView{h.type, data.subspan(kFrameHeaderSize, h.length)});
    }
    if (state_ == State::kClosed) return;
    in_.Consume(total);
    if (!s.ok()) {
      Close(
          Status(s.code(), fmt::format("handler refused frame type {}: {}", h.type, s.ToString())));
      return;
    }
  }
  in_.ShrinkIfIdle(kKeepReadCapacity);
}

Status Connection::Admit(size_t frame_bytes) {
  if (state_ != State::kOpen) {
    return Status(Code::kDisconnected, fmt::format("{}: connection closed", Who()));
  }
  if (queue_.bytes() + reserved_ + frame_bytes > options_.hard_limit) {
    Status s(Code::kNoSpace,
             fmt::format("write queue would pass its hard limit of {} bytes (peer not reading)",
                         options_.hard_limit));
    Close(s);
    return s;
  }
  return Status::Ok();
}

void Connection::Queued() {
  ++stats_.frames_queued;
  last_send_ = Clock::now();
  stats_.max_queued_bytes = std::max(stats_.max_queued_bytes, queue_.bytes());
  ScheduleFlush();
  CheckPressure();
}

Status Connection::Send(uint32_t type, std::span<const uint8_t> payload) {
  if (payload.size() > kAbsoluteMaxPayload) {
    return Status(Code::kTooBig, fmt::format("payload of {} bytes", payload.size()));
  }
  ELK_RETURN_IF_ERROR(Admit(kFrameHeaderSize + payload.size()));
  queue_.PushCopy(type, payload);
  Queued();
  return Status::Ok();
}

Status Connection::Send(uint32_t type, std::vector<uint8_t>&& payload) {
  if (payload.size() > kAbsoluteMaxPayload) {
    return Status(Code::kTooBig, fmt::format("payload of {} bytes", payload.size()));
  }
  ELK_RETURN_IF_ERROR(Admit(kFrameHeaderSize + payload.size()));
  queue_.Push(type, std::move(payload));
  Queued();
  return Status::Ok();
}

Status Connection::SendFrame(std::vector<uint8_t>&& frame, size_t reserved) {
  reserved_ -= std::min(reserved, reserved_);
  if (frame.size() < kFrameHeaderSize ||
      protocol::DecodeFrameHeader(frame.data()).length != frame.size() - kFrameHeaderSize) {
    return Status(Code::kInval, "SendFrame: header length does not match the frame");
  }
  ELK_RETURN_IF_ERROR(Admit(frame.size()));
  queue_.PushEncoded(std::move(frame));
  Queued();
  return Status::Ok();
}

Status Connection::Reserve(size_t bytes) {
  ELK_RETURN_IF_ERROR(Admit(bytes));
  reserved_ += bytes;
  CheckPressure();
  return Status::Ok();
}

void Connection::Trust() {
  trusted_ = true;
  loop_.Cancel(hello_timer_);
  hello_timer_ = kNoTimer;
}

void Connection::HoldReading(bool hold) {
  if (held_ == hold || state_ == State::kClosed) return;
  held_ = hold;
  UpdateInterest();
  if (!hold) ResumeBuffered();
}

void Connection::ResumeBuffered() {
  // Frames that were already buffered when reading paused get no new epoll event.
  if (in_.size() == 0 || Paused()) return;
  loop_.Defer([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->ProcessFrames();
  });
}

void Connection::ScheduleFlush() {
  // While waiting for EPOLLOUT the socket is full: the writable event will flush.
  if (flush_scheduled_ || want_write_) return;
  flush_scheduled_ = true;
  loop_.Defer([weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->flush_scheduled_ = false;
      self->Flush();
    }
  });
}

void Connection::Flush() {
  if (state_ == State::kClosed) return;
  if (!queue_.empty()) {
    auto r = queue_.FlushTo(fd_.get());
    if (!r.ok()) {
      Close(r.status());
      return;
    }
    stats_.write_calls += r->syscalls;
    stats_.bytes_sent += r->bytes;
  }
  want_write_ = !queue_.empty();
  UpdateInterest();
  CheckPressure();
  if (state_ == State::kDraining && queue_.empty()) Close(drain_reason_);
}

void Connection::UpdateInterest() {
  if (state_ == State::kClosed) return;
  uint32_t want = (state_ == State::kOpen && !Paused()) ? kReadable : 0;
  if (want_write_) want |= kWritable;
  if (want == interest_) return;
  if (Status s = loop_.SetInterest(fd_.get(), want); !s.ok()) {
    Close(s);
    return;
  }
  interest_ = want;
}

void Connection::CheckPressure() {
  if (state_ == State::kClosed) return;
  const size_t queued = queue_.bytes() + reserved_;
  if (!over_high_water_ && queued > options_.high_water) {
    over_high_water_ = true;
    UpdateInterest();
    if (handlers_.on_pressure) handlers_.on_pressure(*this, true);
  } else if (over_high_water_ && queued <= options_.high_water / 2) {
    over_high_water_ = false;
    UpdateInterest();
    if (handlers_.on_pressure) handlers_.on_pressure(*this, false);
    ResumeBuffered();
  }
}

void Connection::OnTick() {
  if (state_ == State::kClosed) return;
  const Clock::time_point now = Clock::now();
  if (options_.idle_timeout.count() > 0 && now - last_receive_ >= options_.idle_timeout) {
    Close(Status(Code::kTimeout,
                 fmt::format("nothing received for {} ms", options_.idle_timeout.count())));
    return;
  }
  if (state_ == State::kOpen && options_.keepalive.count() > 0 &&
      now - last_send_ >= options_.keepalive) {
    if (Send(kNopType, std::span<const uint8_t>()).ok()) ++stats_.nops_sent;
  }
}

void Connection::Close(Status why) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  LogClose(why);
  loop_.Unwatch(fd_.get());
  loop_.Cancel(tick_timer_);
  loop_.Cancel(drain_timer_);
  loop_.Cancel(hello_timer_);
  fd_.reset();
  queue_.Clear();
  reserved_ = 0;
  options_.slot.reset();  // the peer's place under the connection caps is free again
  if (!handlers_.on_close) return;
  // Later, from the loop: the owner may be iterating its connections when this runs. If
  // the owner drops the connection before then, it has said it is no longer interested.
  loop_.Defer([weak = weak_from_this(), why = std::move(why)] {
    if (auto self = weak.lock()) self->handlers_.on_close(*self, why);
  });
}

void Connection::CloseAfterFlush(Status why) {
  if (state_ != State::kOpen) return;
  if (queue_.empty()) {
    Close(std::move(why));
    return;
  }
  state_ = State::kDraining;
  drain_reason_ = std::move(why);
  UpdateInterest();
  drain_timer_ = loop_.RunAfter(options_.drain_timeout, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->Close(Status(Code::kTimeout, "queued frames not sent within the drain timeout"));
    }
  });
}

std::string Connection::Who() const {
  std::string peer = peer_.ToString();
  return name_ == peer ? peer : fmt::format("{} ({})", name_, peer);
}

void Connection::LogClose(const Status& why) const {
  if (why.ok()) {
    log::Debug("{}: connection closed", Who());
  } else if (why.code() == Code::kDisconnected) {
    log::Info("{}: {}", Who(), why.message());
  } else {
    log::Warning("{}: closing connection: {}", Who(), why.ToString());
  }
}

}  // namespace elk::net
