#include "master/monitor/gated_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "common/log/log.h"

namespace elk::master::monitor {
namespace {

using Clock = std::chrono::steady_clock;

std::string PeerOf(int sock, int* port, bool local) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((local ? ::getsockname(sock, sa, &len) : ::getpeername(sock, sa, &len)) != 0) return {};
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    if (port != nullptr) *port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    if (port != nullptr) *port = ntohs(in6->sin6_port);
  }
  return text;
}

// Waits for `events` on the socket until `deadline`; false on time-out or error.
bool WaitFor(int sock, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{sock, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (n < 0 && errno != EINTR) return false;
  }
}

// httplib's Stream over one socket: reads stop at the request's deadline, each write waits
// at most write_timeout for room.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int sock, std::chrono::seconds write_timeout)
      : sock_(sock), write_timeout_(write_timeout) {}
  void set_read_deadline(Clock::time_point d) { read_deadline_ = d; }

  bool is_readable() const override { return WaitFor(sock_, POLLIN, read_deadline_); }
  bool is_writable() const override {
    return WaitFor(sock_, POLLOUT, Clock::now() + write_timeout_);
  }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    ssize_t n;
    do
      n = ::recv(sock_, ptr, size, 0);
    while (n < 0 && errno == EINTR);
    return n;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = PeerOf(sock_, &port, false);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = PeerOf(sock_, &port, true);
  }
  socket_t socket() const override { return sock_; }

 private:
  int sock_;
  std::chrono::seconds write_timeout_;
  Clock::time_point read_deadline_{};
};

void Refuse(int sock) {
  static constexpr char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
      "Content-Length: 52\r\n\r\n503 too many connections from this address (monitor)\n";
  (void)::send(sock, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

size_t GatedServer::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

bool GatedServer::Admit(const std::string& address) {
  std::lock_guard lock(mu_);
  size_t& open = open_[address];
  if (options_.per_address == 0 || open < options_.per_address) {
    ++open;
    return true;
  }
  ++refused_;
  const auto now = Clock::now();
  if (now - last_log_ >= std::chrono::minutes(1)) {
    last_log_ = now;
    log::Warning(
        "monitor: {} has {} HTTP connections open (HTTP_MAX_CONNECTIONS_PER_IP), "
        "further ones refused ({} so far)",
        address, open, refused_);
  }
  if (open == 0) open_.erase(address);
  return false;
}

void GatedServer::Release(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = open_.find(address);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
}

bool GatedServer::process_and_close_socket(socket_t sock) {
  const std::string address = PeerOf(sock, nullptr, false);
  bool served = false;
  if (Admit(address)) {
    served = Serve(sock);
    Release(address);
  } else {
    Refuse(sock);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return served;
}

bool GatedServer::Serve(socket_t sock) {
  DeadlineStream stream(sock, std::chrono::seconds(write_timeout_sec_));
  bool ok = true;
  for (size_t i = 0; ok && i < keep_alive_max_count_ && svr_sock_ != INVALID_SOCKET; ++i) {
    // The first request has the request time-out to arrive; a later one the keep-alive
    // time-out to begin, then the request time-out to complete.
    const auto start = Clock::now();
    if (i > 0) {
      if (!WaitFor(sock, POLLIN, start + std::chrono::seconds(keep_alive_timeout_sec_))) break;
    }
    stream.set_read_deadline(Clock::now() + options_.request_timeout);
    bool closed = false;
    ok = process_request(stream, i + 1 == keep_alive_max_count_, closed, nullptr);
    if (closed) break;
  }
  return ok;
}

}  // namespace elk::master::monitor
