#include "mount/fuse/groups_cache.h"

namespace elk::mount {

std::vector<uint32_t> GroupsCache::Get(pid_t pid, uint32_t uid, uint32_t gid, const Fetch& fetch,
                                       Clock::time_point now) {
  const auto key = std::make_tuple(pid, uid, gid);
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && now - it->second.fetched < ttl_) return it->second.groups;
  }
  std::vector<uint32_t> groups = fetch();  // outside the lock: it reads /proc
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) entries_.clear();  // pids come and go; start over
  entries_[key] = Entry{groups, now};
  return groups;
}

}  // namespace elk::mount
