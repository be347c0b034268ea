#pragma once
// Appends changelog records to `<dir>/changelog.0.mfs` and rotates older files to
// `changelog.N.mfs`. Records are buffered by Append() and reach the disk together at
// Commit() - the master commits once per event-loop turn, before it sends the replies of
// that turn, so every acknowledged mutation is on disk (group commit).

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::changelog {

enum class SyncPolicy {
  kAlways,  // fdatasync at every Commit(): an acknowledged mutation survives power loss
  kNever,   // write() only: survives a master crash, not a machine crash (MooseFS's way)
};

// The calls the writer makes on its open file. Tests replace them to inject a short write
// or a failed fdatasync; an empty member is the real system call.
struct FileOps {
  std::function<ssize_t(int fd, const void* data, size_t size)> write;
  std::function<int(int fd)> fdatasync;
};

struct WriterOptions {
  std::string dir;
  std::string prefix = "changelog";  // the metalogger writes "changelog_ml"
  uint32_t back_logs = 50;           // rotated files kept (BACK_LOGS)
  SyncPolicy sync = SyncPolicy::kAlways;
  FileOps ops;
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
  // On failure nothing is acknowledged, and the writer is spent: this and every later
  // Append, Commit and Rotate return the first error. A write is never retried (its first
  // bytes may be in the file already) and neither is an fdatasync: after a failed one Linux
  // may drop the dirty pages and report the next one a success.
  Status Commit();
  // Commits, then shifts changelog.N -> N+1 (dropping those past back_logs) and starts a new .0.
  Status Rotate();

  uint64_t last_version() const { return last_version_; }
  size_t pending_bytes() const { return pending_.size(); }
  uint64_t syncs() const { return syncs_; }  // fdatasync calls so far
  // Ok, or the failure that spent the writer.
  const Status& failure() const { return failed_; }
  std::string current_path() const;

 private:
  Writer(WriterOptions options, uint64_t last_version);
  Status OpenCurrent();
  Status WriteAll();
  // Records `s` as the failure that spends the writer; returns it.
  Status Fail(Status s);

  WriterOptions options_;
  uint64_t last_version_;
  uint64_t committed_version_;  // the last record written (and synced, by policy)
  std::string pending_;
  bool sync_owed_ = false;
  uint64_t syncs_ = 0;
  int fd_ = -1;
  Status failed_;
};

// The path of rotated file N (0 = current).
std::string ChangelogPath(const std::string& dir, const std::string& prefix, uint32_t n);

}  // namespace elk::changelog
