#pragma once
// Whether the kernel may keep a file's page cache across an open (FUSE keep_cache), by
// mfscachemode. AUTO keeps it while the file's mtime and length are what this mount saw
// at its previous open: then no other client changed it, and what the kernel cached is
// still the file. Any change (by another client, or by this one) drops it once.
//
// Thread-safe (the FUSE loop is multi-threaded). Bounded: past kMaxFiles remembered files
// the memory starts over, which only costs each file one dropped cache.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "mount/fuse/mount_args.h"

namespace elk::mount {

class PageCachePolicy {
 public:
  static constexpr size_t kMaxFiles = 100000;

  explicit PageCachePolicy(CacheMode mode) : mode_(mode) {}

  CacheMode mode() const { return mode_; }
  bool direct_io() const { return mode_ == CacheMode::kDirect; }
  // Called at each open with the attributes the master answered; true: keep_cache.
  bool KeepCache(uint32_t inode, int64_t mtime, uint64_t length);

 private:
  struct Seen {
    int64_t mtime = 0;
    uint64_t length = 0;
  };
  const CacheMode mode_;
  std::mutex mu_;
  std::unordered_map<uint32_t, Seen> seen_;
};

}  // namespace elk::mount
