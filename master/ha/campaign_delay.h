#pragma once
// Preferring the most up-to-date candidate. When the leader key is free, every candidate
// waits CampaignDelay before it campaigns; a candidate that lags waits longer, so the one
// closest to the old leader's metadata usually wins, and none waits forever (the delay
// has a ceiling, so a cluster of lagging candidates still elects one).
//
// The rule here: lag (in metadata versions, as the candidate last knew the leader's
// version) times `per_version`, capped at `max`. A candidate that is current waits 0.

#include <chrono>
#include <cstdint>

namespace elk::master::ha {

struct LagRule {
  std::chrono::milliseconds per_version{1};
  std::chrono::milliseconds max{2000};
};

std::chrono::milliseconds CampaignDelay(uint64_t lag_versions, const LagRule& rule);

}  // namespace elk::master::ha
