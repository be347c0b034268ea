#include "mount/fuse/page_cache_policy.h"

namespace elk::mount {

bool PageCachePolicy::KeepCache(uint32_t inode, int64_t mtime, uint64_t length) {
  if (mode_ == CacheMode::kYes) return true;
  if (mode_ != CacheMode::kAuto) return false;
  std::lock_guard lock(mu_);
  auto it = seen_.find(inode);
  if (it == seen_.end()) {
    if (seen_.size() >= kMaxFiles) seen_.clear();
    seen_.emplace(inode, Seen{mtime, length});
    return false;  // nothing of it cached by this mount that we could vouch for
  }
  const bool same = it->second.mtime == mtime && it->second.length == length;
  it->second = Seen{mtime, length};
  return same;
}

}  // namespace elk::mount
