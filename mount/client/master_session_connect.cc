// How a session finds the leader among the masters of MASTER_HOST (docs/failover.md,
// "Peers of a follower"): a round tries the master last reached, then every address of the
// list; a follower's "not the leader; the leader is HOST:PORT" is tried next (a few hops a
// round). A refusal from a master that leads (a bad password, an unknown session) ends the
// search: another master would not answer otherwise.

#include <cstdlib>

#include "common/log/log.h"
#include "mount/client/master_session.h"

namespace elk::client {
namespace {

constexpr int kMaxHops = 4;            // redirects followed in one round
constexpr int kMaxUnknownRounds = 20;  // rounds while a follower does not know its leader
constexpr Millis kUnknownPause{250};   // between those rounds: 5 s in all

// Worth trying another master: this one is gone, unreachable or not the leader.
bool TryAnother(Code code) {
  switch (code) {
    case Code::kCantConnect:
    case Code::kDisconnected:
    case Code::kTimeout:
    case Code::kIo:
    case Code::kNotFound:
    case Code::kNotLeader:
      return true;
    default:
      return false;
  }
}

// ANTOAN_NOT_LEADER's "host:port" (empty: the follower does not know its leader yet).
std::optional<net::MasterEntry> LeaderNamed(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  auto port = net::ParsePort(text.substr(colon + 1));
  if (!port.ok() || *port == 0) return std::nullopt;
  return net::MasterEntry{text.substr(0, colon), *port};
}

}  // namespace

bool MasterSession::WaitBeforeNextRound(Millis pause) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, pause, [&] { return stopping_; });
}

Result<std::shared_ptr<net::BlockingClient>> MasterSession::Connect(bool account) {
  if (!masters_parsed_) {
    auto list = net::MasterAddresses::Parse(options_.host, options_.port);
    if (!list.ok()) {
      return Status(Code::kInval,
                    fmt::format("master address '{}': {}", options_.host, list.status().message()));
    }
    masters_ = std::move(*list);
    masters_parsed_ = true;
  }
  for (int unknown_rounds = 0;;) {
    {
      std::lock_guard lock(mu_);
      // A master given up for its silence may be paused, not gone: its kernel still accepts
      // a connection, and the hello would wait connect_timeout. The others go first.
      if (silent_) masters_.TryLast(*silent_);
      silent_.reset();
    }
    if (Status s = masters_.Restart(); !s.ok()) return s;
    if (!masters_.unresolved().empty()) log::Warning("masters: {}", masters_.unresolved());
    Status last(Code::kCantConnect, "no master tried");
    bool leader_unknown = false;
    for (int hops = 0; !masters_.RoundDone();) {
      auto to = masters_.Next();
      if (!to.ok()) {
        last = to.status();
        continue;
      }
      auto c = ConnectTo(*to, account);
      if (c.ok()) {
        masters_.Reached(*to);
        return c;
      }
      last = c.status();
      if (!TryAnother(c.code())) return c.status();
      if (c.code() != Code::kNotLeader) continue;
      auto leader = LeaderNamed(c.status().message());
      if (!leader) {
        leader_unknown = true;
      } else if (++hops <= kMaxHops) {
        log::Info("master {} is not the leader; the leader is {}:{}", to->address, leader->host,
                  leader->port);
        masters_.Redirect(leader->host, leader->port);
      }
    }
    // Every master is gone or follows one that is gone: forget the last one reached, so a
    // dead leader does not head every later round.
    masters_.Forget();
    if (!leader_unknown || ++unknown_rounds > kMaxUnknownRounds) return last;
    if (!WaitBeforeNextRound(kUnknownPause)) return last;
  }
}

}  // namespace elk::client
