#pragma once
// Supplementary groups of the process behind a request, kept per (pid, uid, gid) for a short
// time. FUSE finds them by reading /proc on every call, which costs more than the master's
// answer in small-file work; a process's groups change rarely, and the key changes with its
// uid or gid. Thread-safe; bounded (cleared when full).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace elk::mount {

class GroupsCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Fetch = std::function<std::vector<uint32_t>()>;

  explicit GroupsCache(std::chrono::milliseconds ttl = std::chrono::milliseconds(1000),
                       size_t max_entries = 4096)
      : ttl_(ttl), max_entries_(max_entries) {}

  // The cached groups, or fetch()'s answer (then cached) when missing or older than ttl.
  std::vector<uint32_t> Get(pid_t pid, uint32_t uid, uint32_t gid, const Fetch& fetch,
                            Clock::time_point now = Clock::now());

 private:
  struct Entry {
    std::vector<uint32_t> groups;
    Clock::time_point fetched;
  };
  const std::chrono::milliseconds ttl_;
  const size_t max_entries_;
  std::mutex mu_;
  std::map<std::tuple<pid_t, uint32_t, uint32_t>, Entry> entries_;
};

}  // namespace elk::mount
