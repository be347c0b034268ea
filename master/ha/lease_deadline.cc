#include "master/ha/lease_deadline.h"

namespace elk::master::ha {

void LeaseDeadline::Renewed(Clock::time_point sent, std::chrono::seconds ttl) {
  int64_t next = (sent + ttl - margin_).time_since_epoch().count();
  int64_t now = deadline_.load();
  while (next > now && !deadline_.compare_exchange_weak(now, next)) {
  }
}

bool LeaseDeadline::Held(Clock::time_point now) const {
  int64_t d = deadline_.load();
  return d != kNone && now.time_since_epoch().count() < d;
}

Clock::time_point LeaseDeadline::deadline() const {
  int64_t d = deadline_.load();
  return d == kNone ? Clock::time_point::min() : Clock::time_point(Clock::duration(d));
}

}  // namespace elk::master::ha
