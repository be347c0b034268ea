#pragma once
// Connection caps for one listening port: at most max_total open connections, and at most
// max_per_ip from one address. Admit() answers a slot to keep while the connection is open
// (ConnectionOptions::slot; the Connection drops it when it closes), or nullptr: the
// caller closes the socket at once. Refusals are logged, at most one line per cap per
// interval, with how many were refused since the last line, so a flood cannot fill the log.
// Loop thread only.
//
//   ConnectionLimiter limits("clients", {.max_total = 10000, .max_per_ip = 1000});
//   auto slot = limits.Admit(peer);
//   if (!slot) return;  // the UniqueFd closes the socket
//   options.slot = std::move(slot);

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/net/address.h"

namespace elk::net {

struct ConnectionLimits {
  uint32_t max_total = 0;   // 0: no cap
  uint32_t max_per_ip = 0;  // 0: no cap
};

class ConnectionLimiter {
 public:
  ConnectionLimiter(std::string what, ConnectionLimits limits,
                    std::chrono::milliseconds log_interval = std::chrono::seconds(10));
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  // A slot for a connection from `peer`, or nullptr when a cap is reached.
  std::shared_ptr<void> Admit(const Address& peer);

  size_t open() const { return counts_->total; }
  size_t open_from(uint32_t ip) const;
  uint64_t refused() const { return refused_total_; }

 private:
  // Shared with the slots, so a slot that outlives its limiter releases safely.
  struct Counts {
    size_t total = 0;
    std::unordered_map<uint32_t, size_t> per_ip;
  };
  struct Slot;
  void LogRefusal(const Address& peer, const char* cap);

  std::string what_;
  ConnectionLimits limits_;
  std::chrono::milliseconds log_interval_;
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
  uint64_t refused_total_ = 0;
  uint64_t refused_unlogged_ = 0;
  std::chrono::steady_clock::time_point last_log_[2]{};  // MAX_CONNECTIONS, ..._PER_IP
  bool logged_[2] = {false, false};
};

}  // namespace elk::net
