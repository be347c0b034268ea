#pragma once
// Appends changelog records to `<dir>/changelog.0.mfs` and rotates older files to
// `changelog.N.mfs`. Records are buffered by Append() and reach the disk together at
// Commit() - the master commits once per event-loop turn, before it sends the replies of
// that turn, so every acknowledged mutation is on disk (group commit).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::master::changelog {

enum class SyncPolicy {
  kAlways,  // fdatasync at every Commit(): an acknowledged mutation survives power loss
  kNever,   // write() only: survives a master crash, not a machine crash (MooseFS's way)
};

struct WriterOptions {
  std::string dir;
  std::string prefix = "changelog";  // the metalogger writes "changelog_ml"
  uint32_t back_logs = 50;           // rotated files kept (BACK_LOGS)
  SyncPolicy sync = SyncPolicy::kAlways;
};

class Writer {
 public:
  // Opens (or creates) the current file. `last_version` is the version of the newest record
  // already held (in the image or the changelogs); the next Append must follow it.
  static Result<std::unique_ptr<Writer>> Open(const WriterOptions& options, uint64_t last_version);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Buffers one record; versions must be contiguous. A record appended with `sync = false`
  // (an open or close count: bookkeeping no client waits on) is written at the next commit but
  // forces no fdatasync of its own; the next synced record's fdatasync covers it.
  Status Append(uint64_t version, std::string_view body, bool sync = true);
  // Writes every buffered record (and syncs, by policy, if a buffered record asked for it).
  // On failure nothing is acknowledged.
  Status Commit();
  // Commits, then shifts changelog.N -> N+1 (dropping those past back_logs) and starts a new .0.
  Status Rotate();

  uint64_t last_version() const { return last_version_; }
  size_t pending_bytes() const { return pending_.size(); }
  uint64_t syncs() const { return syncs_; }  // fdatasync calls so far
  std::string current_path() const;

 private:
  Writer(WriterOptions options, uint64_t last_version);
  Status OpenCurrent();

  WriterOptions options_;
  uint64_t last_version_;
  std::string pending_;
  bool sync_owed_ = false;
  uint64_t syncs_ = 0;
  int fd_ = -1;
};

// The path of rotated file N (0 = current).
std::string ChangelogPath(const std::string& dir, const std::string& prefix, uint32_t n);

}  // namespace elk::master::changelog
