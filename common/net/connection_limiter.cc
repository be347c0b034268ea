#include "common/net/connection_limiter.h"

#include <string_view>
#include <utility>

#include "common/log/log.h"

namespace elk::net {

ConnectionLimiter::ConnectionLimiter(std::string what, ConnectionLimits limits,
                                     std::chrono::milliseconds log_interval)
    : what_(std::move(what)), limits_(limits), log_interval_(log_interval) {}

// Gives the place back when the connection holding it drops it.
struct ConnectionLimiter::Slot {
  Slot(std::weak_ptr<Counts> c, uint32_t i) : counts(std::move(c)), ip(i) {}
  ~Slot() {
    auto c = counts.lock();
    if (!c) return;
    --c->total;
    auto it = c->per_ip.find(ip);
    if (it != c->per_ip.end() && --it->second == 0) c->per_ip.erase(it);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  std::weak_ptr<Counts> counts;
  uint32_t ip;
};

size_t ConnectionLimiter::open_from(uint32_t ip) const {
  auto it = counts_->per_ip.find(ip);
  return it == counts_->per_ip.end() ? 0 : it->second;
}

std::shared_ptr<void> ConnectionLimiter::Admit(const Address& peer) {
  Counts& c = *counts_;
  if (limits_.max_total > 0 && c.total >= limits_.max_total) {
    LogRefusal(peer, "MAX_CONNECTIONS");
    return nullptr;
  }
  if (limits_.max_per_ip > 0 && open_from(peer.ip) >= limits_.max_per_ip) {
    LogRefusal(peer, "MAX_CONNECTIONS_PER_IP");
    return nullptr;
  }
  ++c.total;
  ++c.per_ip[peer.ip];
  return std::make_shared<Slot>(counts_, peer.ip);
}

void ConnectionLimiter::LogRefusal(const Address& peer, const char* cap) {
  ++refused_total_;
  ++refused_unlogged_;
  // One line per cap per interval: a flood on one cap does not hide the other.
  const int which = cap == std::string_view("MAX_CONNECTIONS") ? 0 : 1;
  const auto now = std::chrono::steady_clock::now();
  if (logged_[which] && now - last_log_[which] < log_interval_) return;
  log::Warning(
      "{}: connection from {} refused: {} reached ({} open, {} from that address; {} "
      "refused since the last report)",
      what_, peer.ToString(), cap, counts_->total, open_from(peer.ip), refused_unlogged_);
  refused_unlogged_ = 0;
  last_log_[which] = now;
  logged_[which] = true;
}

}  // namespace elk::net
