#include "master/ha/campaign_delay.h"

namespace elk::master::ha {

std::chrono::milliseconds CampaignDelay(uint64_t lag_versions, const LagRule& rule) {
  if (rule.per_version.count() <= 0) return std::chrono::milliseconds(0);
  // Compared in versions first, so a huge lag cannot overflow the multiplication.
  auto cap = static_cast<uint64_t>(rule.max.count() / rule.per_version.count());
  if (lag_versions >= cap) return rule.max;
  return rule.per_version * static_cast<int64_t>(lag_versions);
}

}  // namespace elk::master::ha
