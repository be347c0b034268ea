#include "chunkserver/server/client_service.h"

#include "chunkserver/server/session.h"
#include "common/log/log.h"

namespace elk::chunkserver {

Result<std::unique_ptr<ClientService>> ClientService::Start(ServiceContext context,
                                                            net::Address listen) {
  std::unique_ptr<ClientService> service(new ClientService(std::move(context)));
  ClientService* raw = service.get();
  auto listener = net::Listener::Create(service->ctx_.loop, listen,
                                        [raw](net::UniqueFd fd, net::Address peer) {
                                          raw->Accept(std::move(fd), peer);
                                        });
  if (!listener.ok()) return listener.status();
  service->listener_ = std::move(*listener);
  log::Info("listening for clients on {}", service->listener_->address());
  return service;
}

ClientService::~ClientService() {
  listener_.reset();
  sessions_.clear();
}

void ClientService::Accept(net::UniqueFd fd, net::Address peer) {
  auto slot = limits_.Admit(peer);
  if (!slot) return;  // over a cap: the socket closes here (the limiter logged it)
  std::weak_ptr<int> alive = alive_;
  auto session = std::make_shared<Session>(ctx_, [this, alive](Session* s) {
    // Dropped after the current callback returns: the session is on the stack now.
    ctx_.loop.Defer([this, alive, s] {
      if (!alive.expired()) sessions_.erase(s);
    });
  });
  if (Status s = session->Open(std::move(fd), peer, std::move(slot)); !s.ok()) {
    log::Warning("client {}: {}", peer, s.ToString());
    return;
  }
  sessions_.emplace(session.get(), std::move(session));
}

}  // namespace elk::chunkserver
