#include "common/net/connector.h"

#include <sys/socket.h>

#include <cerrno>

#include "common/net/socket_options.h"

namespace elk::net {
namespace {

Status ConnectError(int err, const Address& to) {
  Status s = Status::FromErrno(err, fmt::format("connect to {}", to));
  return Status(Code::kCantConnect, s.message());
}

class Attempt final : public PendingConnect, public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(EventLoop& loop, Address to, ConnectCallback done)
      : loop_(loop), to_(to), done_(std::move(done)) {}

  void Begin(std::chrono::milliseconds timeout) {
    auto fd = NewTcpSocket();
    if (!fd.ok()) return FinishSoon(fd.status());
    fd_ = std::move(*fd);
    sockaddr_in sa = to_.ToSockaddr();
    int rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
    if (rc == 0) return FinishSoon(Status::Ok());
    if (errno != EINPROGRESS) return FinishSoon(ConnectError(errno, to_));
    // The watch holds the attempt alive; Finish() unwatches and so releases it.
    auto self = shared_from_this();
    Status s = loop_.Watch(fd_.get(), kWritable, [self](uint32_t) { self->OnWritable(); });
    if (!s.ok()) return FinishSoon(s);
    watching_ = true;
    timer_ = loop_.RunAfter(timeout, [weak = weak_from_this(), timeout, to = to_] {
      if (auto me = weak.lock()) {
        me->Finish(Status(Code::kTimeout,
                          fmt::format("connect to {}: no answer in {} ms", to, timeout.count())));
      }
    });
  }

  void Cancel() override {
    if (finished_) return;
    finished_ = true;
    done_ = nullptr;
    Release();
  }

 private:
  void OnWritable() {
    int err = PendingSocketError(fd_.get());
    Finish(err == 0 ? Status::Ok() : ConnectError(err, to_));
  }

  // Immediate outcomes are delivered from the loop too, so the caller never sees `done`
  // run inside its own call.
  void FinishSoon(Status s) {
    loop_.Defer(
        [self = shared_from_this(), s = std::move(s)]() mutable { self->Finish(std::move(s)); });
  }

  void Finish(Status s) {
    if (finished_) return;
    finished_ = true;
    auto keep = shared_from_this();
    Release();
    ConnectCallback done = std::move(done_);
    if (s.ok()) {
      done(std::move(fd_));
    } else {
      fd_.reset();
      done(std::move(s));
    }
  }

  void Release() {
    loop_.Cancel(timer_);
    if (watching_) loop_.Unwatch(fd_.get());
    watching_ = false;
  }

  EventLoop& loop_;
  Address to_;
  ConnectCallback done_;
  UniqueFd fd_;
  TimerId timer_ = kNoTimer;
  bool watching_ = false;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<PendingConnect> ConnectAsync(EventLoop& loop, const Address& to,
                                             std::chrono::milliseconds timeout,
                                             ConnectCallback done) {
  auto attempt = std::make_shared<Attempt>(loop, to, std::move(done));
  attempt->Begin(timeout);
  return attempt;
}

}  // namespace elk::net
