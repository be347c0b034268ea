#include "common/net/listener.h"

#include <sys/socket.h>

#include <cerrno>

#include "common/log/log.h"
#include "common/net/socket_options.h"

namespace elk::net {
namespace {

constexpr int kMaxAcceptsPerEvent = 64;
// Out of descriptors: the pending connection stays queued and epoll (level-triggered) would
// report it again at once, so stop watching for a moment instead of spinning.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

}  // namespace

Result<std::unique_ptr<Listener>> Listener::Create(EventLoop& loop, const Address& bind_to,
                                                   AcceptCallback on_accept, int backlog) {
  auto fd = NewTcpSocket();
  if (!fd.ok()) return fd.status();
  ELK_RETURN_IF_ERROR(SetReuseAddress(fd->get()));
  sockaddr_in sa = bind_to.ToSockaddr();
  if (::bind(fd->get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    return Status::FromErrno(errno, fmt::format("bind {}", bind_to));
  }
  if (::listen(fd->get(), backlog) != 0) {
    return Status::FromErrno(errno, fmt::format("listen {}", bind_to));
  }
  auto bound = LocalAddress(fd->get());
  if (!bound.ok()) return bound.status();
  std::unique_ptr<Listener> listener(
      new Listener(loop, std::move(*fd), *bound, std::move(on_accept)));
  Listener* self = listener.get();
  ELK_RETURN_IF_ERROR(
      loop.Watch(self->fd_.get(), kReadable, [self](uint32_t) { self->OnReadable(); }));
  log::Debug("listening on {}", *bound);
  return listener;
}

Listener::Listener(EventLoop& loop, UniqueFd fd, Address address, AcceptCallback on_accept)
    : loop_(loop), fd_(std::move(fd)), address_(address), on_accept_(std::move(on_accept)) {}

Listener::~Listener() {
  loop_.Cancel(resume_timer_);
  loop_.Unwatch(fd_.get());
}

void Listener::OnReadable() {
  for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    int fd =
        ::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      on_accept_(UniqueFd(fd), Address::FromSockaddr(sa));
      continue;
    }
    switch (errno) {
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
        return;
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
        continue;  // that one connection is gone; others may wait
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        log::Warning("accept on {}: {}; pausing accepts", address_,
                     Status::FromErrno(errno, "accept").ToString());
        PauseAccepting();
        return;
      default:
        log::Error("accept on {}: {}", address_, Status::FromErrno(errno, "accept").ToString());
        return;
    }
  }
}

void Listener::PauseAccepting() {
  if (!loop_.SetInterest(fd_.get(), 0).ok()) return;
  resume_timer_ = loop_.RunAfter(kAcceptPause, [this] {
    resume_timer_ = kNoTimer;
    if (Status s = loop_.SetInterest(fd_.get(), kReadable); !s.ok()) {
      log::Error("listener {}: {}", address_, s.ToString());
    }
  });
}

}  // namespace elk::net
