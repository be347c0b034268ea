#pragma once
// The leader's local proof that it still holds its etcd lease: a deadline on this host's
// monotonic clock, computed from when the last successful keep-alive was *sent*.
//
// etcd renews a lease when the keep-alive reaches it, which is after we sent it, and
// answers with the TTL it now has; so etcd cannot expire the lease before sent + TTL on
// its clock. We stop `margin` earlier to cover the two clocks running at different
// rates over one TTL. Any thread may ask Held(); the election thread writes.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace elk::master::ha {

using Clock = std::chrono::steady_clock;

class LeaseDeadline {
 public:
  explicit LeaseDeadline(Clock::duration margin) : margin_(margin) {}

  // A grant or keep-alive sent at `sent` was answered with `ttl` seconds left (> 0).
  // The deadline never moves back.
  void Renewed(Clock::time_point sent, std::chrono::seconds ttl);
  // No lease held any more (lost, resigned, never won).
  void Clear() { deadline_.store(kNone); }
  bool Held(Clock::time_point now) const;
  // Clock::time_point::min() when none is held.
  Clock::time_point deadline() const;

 private:
  static constexpr int64_t kNone = INT64_MIN;
  Clock::duration margin_;
  std::atomic<int64_t> deadline_{kNone};  // Clock ticks since its epoch
};

}  // namespace elk::master::ha
