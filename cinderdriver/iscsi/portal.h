#pragma once
// The network portal of the target: a listening socket and a thread per connection.
// Connections share the TaskPool and the TargetRegistry. Stop() closes the listener,
// shuts every connection down and joins the threads.
//
// Since each connection costs a thread, anyone who can reach the port is bounded: at most
// max_connections at once and max_per_ip from one address (more are closed at accept, with
// a rate-limited log line), and a connection that has not finished its login within
// login_timeout is shut down. Before login a PDU's data segment is bounded by our
// MaxRecvDataSegmentLength of 8192 (PduFormat) and the login by 32 PDUs.

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cinderdriver/iscsi/connection.h"
#include "common/net/connection_limiter.h"
#include "common/net/unique_fd.h"

namespace elk::iscsi {

struct PortalLimits {
  uint32_t max_connections = 1024;                 // MAX_CONNECTIONS; 0: no cap
  uint32_t max_per_ip = 256;                       // MAX_CONNECTIONS_PER_IP; 0: no cap
  std::chrono::milliseconds login_timeout{15000};  // LOGIN_TIMEOUT; 0: none
  // Command data held for commands in flight (buffer_budget.cc): per connection and in
  // total. CONNECTION_BUFFER_SIZE and BUFFER_SIZE.
  uint64_t connection_buffer_bytes = 64ull << 20;
  uint64_t total_buffer_bytes = 1ull << 30;
};

class Portal {
 public:
  // Binds host:port (port 0: any free port; port() tells which).
  static Result<std::unique_ptr<Portal>> Open(const std::string& host, uint16_t port,
                                              const TargetRegistry& targets, TaskPool& pool,
                                              TargetLimits limits = {}, PortalLimits guards = {});
  ~Portal();
  uint16_t port() const { return port_; }
  // The address initiators are told to use ("127.0.0.1:3260").
  const std::string& address() const { return address_; }
  size_t connections() const;
  // Command data its connections hold now, and the most they have held at once.
  uint64_t held_bytes() const { return held_->bytes.load(); }
  uint64_t peak_held_bytes() const { return held_->peak.load(); }
  void Stop();

  // Use Open(); public for make_unique.
  Portal(net::UniqueFd fd, const TargetRegistry& targets, TaskPool& pool, TargetLimits limits,
         PortalLimits guards)
      : fd_(std::move(fd)),
        targets_(targets),
        pool_(pool),
        limits_(limits),
        guards_(guards),
        admit_("iSCSI connections",
               {.max_total = guards.max_connections, .max_per_ip = guards.max_per_ip}) {
    held_->limit = guards.total_buffer_bytes;
  }

 private:
  void AcceptLoop();
  // Joins finished connections (their slots go back to admit_) and shuts down those past
  // their login time. Acceptor thread only.
  void Reap();

  struct Running {
    std::shared_ptr<Connection> conn;
    std::thread thread;
    std::shared_ptr<bool> finished;
    std::shared_ptr<void> slot;  // admit_'s count of this connection
    std::chrono::steady_clock::time_point accepted;
    bool timed_out = false;
  };

  net::UniqueFd fd_;
  const TargetRegistry& targets_;
  TaskPool& pool_;
  TargetLimits limits_;
  PortalLimits guards_;
  net::ConnectionLimiter admit_;
  std::shared_ptr<HeldBytes> held_ =
      std::make_shared<HeldBytes>();  // acceptor thread only (and Stop, after it ended)
  uint16_t port_ = 0;
  std::string address_;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::list<Running> running_;
  bool stopping_ = false;
};

}  // namespace elk::iscsi
