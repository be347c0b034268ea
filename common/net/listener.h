#pragma once
// A listening TCP socket on an EventLoop. Accepts without blocking (as many as are waiting,
// up to a batch per event) and hands each new socket, non-blocking and close-on-exec, to
// on_accept. Port 0 binds an ephemeral port; address() tells which.
//
//   auto listener = Listener::Create(loop, *Resolve("*", 9421), [&](UniqueFd fd, Address peer) {
//     auto conn = Connection::Create(loop, std::move(fd), peer, options, handlers);
//     ...
//   });

#include <functional>
#include <memory>

#include "common/net/address.h"
#include "common/net/event_loop.h"
#include "common/net/unique_fd.h"
#include "common/status.h"

namespace elk::net {

class Listener {
 public:
  using AcceptCallback = std::function<void(UniqueFd fd, Address peer)>;

  static Result<std::unique_ptr<Listener>> Create(EventLoop& loop, const Address& bind_to,
                                                  AcceptCallback on_accept, int backlog = 1024);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The bound address, with the real port when 0 was asked for.
  const Address& address() const { return address_; }
  uint16_t port() const { return address_.port; }

 private:
  Listener(EventLoop& loop, UniqueFd fd, Address address, AcceptCallback on_accept);
  void OnReadable();
  void PauseAccepting();

  EventLoop& loop_;
  UniqueFd fd_;
  Address address_;
  AcceptCallback on_accept_;
  TimerId resume_timer_ = kNoTimer;
};

}  // namespace elk::net
