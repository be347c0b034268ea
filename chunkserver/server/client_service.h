#pragma once
// The chunkserver's data service (port 9422): reads for clients (CLTOCS_READ), chained
// writes (CLTOCS_WRITE_*; the server forwards to the next of the chain and acknowledges a
// write id once its own write and the rest of the chain are done), and block reads for
// other chunkservers that replicate a chunk (CSTOCS_*). Each connection starts with a
// hello from each side. Disk work runs on the IoPool; this side only moves frames.
// Loop thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "chunkserver/server/config.h"
#include "chunkserver/server/disk_set.h"
#include "chunkserver/server/io_pool.h"
#include "common/net/connection_limiter.h"
#include "common/net/listener.h"

namespace elk::chunkserver {

class Session;

struct ServiceContext {
  net::EventLoop& loop;
  IoPool& io;
  DiskSet& disks;
  Millis timeout{5000};  // idle timeout of a connection; chain connects use it too
  Millis hello_timeout{10000};   // a connection that has not said hello by then is closed
  net::ConnectionLimits limits;  // caps on open connections (in all, per address)
  bool fsync_before_close = false;  // HDD_FSYNC_BEFORE_CLOSE: fsync a chunk at write end
  // Every finished disk operation's status, with its chunk: the owner reports kCrc chunks
  // as damaged and checks for failed disks on kIo.
  std::function<void(uint64_t chunkid, const Status&)> on_io_status;
};

class ClientService {
 public:
  static Result<std::unique_ptr<ClientService>> Start(ServiceContext context, net::Address listen);
  ~ClientService();
  ClientService(const ClientService&) = delete;
  ClientService& operator=(const ClientService&) = delete;

  const net::Address& address() const { return listener_->address(); }
  size_t sessions() const { return sessions_.size(); }

 private:
  explicit ClientService(ServiceContext context)
      : ctx_(std::move(context)), limits_("data port", ctx_.limits) {}
  void Accept(net::UniqueFd fd, net::Address peer);

  ServiceContext ctx_;
  net::ConnectionLimiter limits_;
  std::unique_ptr<net::Listener> listener_;
  std::map<Session*, std::shared_ptr<Session>> sessions_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace elk::chunkserver
