#include "mount/fuse/capability_cache.h"

namespace elk::mount {

bool CapabilityCache::KnownAbsent(uint32_t inode, std::string_view name, Clock::time_point now) {
  if (name != kName || keep_ <= Clock::duration::zero()) return false;
  std::lock_guard lock(mu_);
  auto it = absent_until_.find(inode);
  if (it == absent_until_.end()) return false;
  if (now < it->second) return true;
  absent_until_.erase(it);
  return false;
}

uint64_t CapabilityCache::Ask() {
  std::lock_guard lock(mu_);
  return changes_;
}

void CapabilityCache::NoteAbsent(uint32_t inode, std::string_view name, Clock::time_point now,
                                 uint64_t ticket) {
  if (name != kName || keep_ <= Clock::duration::zero()) return;
  std::lock_guard lock(mu_);
  if (ticket != changes_) return;
  if (absent_until_.size() >= kMaxInodes) absent_until_.clear();
  absent_until_[inode] = now + keep_;
}

void CapabilityCache::Forget(uint32_t inode) {
  std::lock_guard lock(mu_);
  ++changes_;
  absent_until_.erase(inode);
}

}  // namespace elk::mount
