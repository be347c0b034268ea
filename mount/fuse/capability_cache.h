#pragma once
// Remembers, per inode, that the master said the file has no `security.capability`, for
// a short time. The kernel asks for that attribute before every write(2) to a FUSE file
// (to drop file capabilities on a write, as Linux does), which without this costs a master
// round trip per write. An answer is kept for the attribute time-out (mfsattrcacheto): the
// same window in which the kernel already judges setuid bits from cached attributes, so a
// capability set by another client during it is missed just as a setuid bit would be.
// This mount's own setxattr/removexattr of the inode forgets its answer at once.
//
// Thread-safe (the FUSE loop is multi-threaded). Bounded: past kMaxInodes remembered
// inodes the memory starts over, which costs each inode one more request.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace elk::mount {

class CapabilityCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxInodes = 100000;
  static constexpr std::string_view kName = "security.capability";

  explicit CapabilityCache(Clock::duration keep) : keep_(keep) {}

  // True when `name` is security.capability and the inode is known to have none.
  bool KnownAbsent(uint32_t inode, std::string_view name, Clock::time_point now);
  // Taken before asking the master; a change made by this mount while the question was
  // out voids the answer (it may predate the change).
  uint64_t Ask();
  // The master answered "no such attribute" for `name`, asked at `now` with `ticket`.
  void NoteAbsent(uint32_t inode, std::string_view name, Clock::time_point now, uint64_t ticket);
  // This mount changed the inode's attributes: ask the master next time.
  void Forget(uint32_t inode);

 private:
  const Clock::duration keep_;
  std::mutex mu_;
  uint64_t changes_ = 0;  // Forget calls so far
  std::unordered_map<uint32_t, Clock::time_point> absent_until_;
};

}  // namespace elk::mount
