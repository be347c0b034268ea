#include "cinderdriver/iscsi/portal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/log/log.h"
#include "common/net/address.h"

namespace elk::iscsi {

namespace {

std::string AddressText(const sockaddr_in& a) {
  char ip[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
  return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

}  // namespace

Result<std::unique_ptr<Portal>> Portal::Open(const std::string& host, uint16_t port,
                                             const TargetRegistry& targets, TaskPool& pool,
                                             TargetLimits limits, PortalLimits guards) {
  auto addr = net::Resolve(host, port);
  if (!addr.ok()) return addr.status();
  net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status(Code::kIo, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr->ip);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 ||
      ::listen(fd.get(), 128) != 0) {
    return Status(Code::kIo, "iSCSI portal " + host + ":" + std::to_string(port) + ": " +
                                 std::strerror(errno));
  }
  socklen_t len = sizeof(sa);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  auto p = std::make_unique<Portal>(std::move(fd), targets, pool, limits, guards);
  p->port_ = ntohs(sa.sin_port);
  // A wildcard bind is announced under the loopback address only when nothing better is
  // known; each connection answers SendTargets with the address it was reached on.
  p->address_ = AddressText(sa);
  p->acceptor_ = std::thread([raw = p.get()] { raw->AcceptLoop(); });
  return p;
}

Portal::~Portal() {
  Stop();
}

size_t Portal::connections() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& r : running_)
    n += *r.finished ? 0 : 1;
  return n;
}

void Portal::Reap() {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  for (auto it = running_.begin(); it != running_.end();) {
    if (*it->finished) {
      it->thread.join();
      it = running_.erase(it);
      continue;
    }
    if (guards_.login_timeout.count() > 0 && !it->timed_out && !it->conn->logged_in() &&
        now - it->accepted >= guards_.login_timeout) {
      log::Warning("iSCSI connection from {}: no login within {} ms, closed", it->conn->peer(),
                   guards_.login_timeout.count());
      it->timed_out = true;
      it->conn->Shutdown();
    }
    ++it;
  }
}

void Portal::AcceptLoop() {
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    Reap();
    if (r <= 0) continue;
    sockaddr_in peer{};
    socklen_t len = sizeof(peer);
    net::UniqueFd conn_fd(
        ::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
    if (!conn_fd.valid()) continue;
    auto slot = admit_.Admit(net::Address::FromSockaddr(peer));
    if (!slot) continue;  // a cap is reached (logged): the UniqueFd closes the socket
    sockaddr_in local{};
    socklen_t llen = sizeof(local);
    ::getsockname(conn_fd.get(), reinterpret_cast<sockaddr*>(&local), &llen);
    PortalInfo info{AddressText(local), limits_};
    info.connection_bytes = guards_.connection_buffer_bytes;
    info.total = held_;
    auto conn =
        std::make_shared<Connection>(std::move(conn_fd), AddressText(peer), targets_, pool_, info);
    auto finished = std::make_shared<bool>(false);
    std::lock_guard lock(mu_);
    running_.push_back(Running{conn, std::thread([conn, finished, this] {
                                 Status s = conn->Run();
                                 if (!s.ok())
                                   log::Warning("iSCSI connection from {} ended: {}", conn->peer(),
                                                s.ToString());
                                 std::lock_guard l(mu_);
                                 *finished = true;
                               }),
                               finished, std::move(slot), std::chrono::steady_clock::now()});
  }
}

void Portal::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::list<Running> all;
  {
    std::lock_guard lock(mu_);
    all.swap(running_);
  }
  for (auto& r : all)
    r.conn->Shutdown();
  for (auto& r : all)
    r.thread.join();
}

}  // namespace elk::iscsi
