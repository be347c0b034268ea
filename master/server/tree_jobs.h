#pragma once
// The recursive client requests (mfsgetgoal -r, mfsgettrashtime -r, mfssetgoal -r,
// mfssettrashtime -r, mfsdirinfo, mfsmakesnapshot) run here a slice at a time, so a tree of
// millions of nodes never holds the single event loop: each loop turn runs one slice of one job (at
// most slice_nodes nodes, round robin over the jobs), then the loop serves every other peer.
//
// A job walks by inode ids (Namespace::WalkSome): nodes removed between slices are skipped.
// A mutating job logs one record per slice naming the nodes it changed (Metadata::SetGoalOf),
// so the changelog replays exactly what the live master did. The client gets its one reply
// when the walk ends. If its connection closes meanwhile the job stops after the slice in
// hand: what earlier slices changed stays (each is complete and logged), nothing is half done.
//
// A snapshot walks by itself (TreeJob::step, Metadata::SnapshotSome): each slice copies
// about slice_nodes nodes and logs them; what earlier slices copied stays if it stops.
//
// Bounded: at most per_session jobs of one session and total jobs at once; one more is
// refused with kDelayed (EAGAIN) and nothing is changed. See docs/master.md.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>

#include "common/net/event_loop.h"
#include "common/status.h"
#include "master/meta/metadata.h"

namespace elk::master {

struct TreeJobLimits {
  size_t slice_nodes = 16384;  // nodes a slice may visit (a few ms on this hardware)
  size_t per_session = 4;
  size_t total = 32;
};

struct TreeJob {
  TreeWalk walk;
  uint32_t session = 0;
  // Is the asking client still there? A job whose client left stops (finish is not called).
  std::function<bool()> alive;
  // One slice: the ids the walk visited. An error ends the job (finish gets it).
  std::function<Status(std::span<const InodeId>)> slice;
  // A job that walks by itself (a snapshot): one slice of about `budget` nodes, true when
  // the job is done. When set, walk and slice are not used.
  std::function<Result<bool>(size_t budget)> step;
  // Once, when the walk ended or a slice failed: replies to the client.
  std::function<void(const Status&)> finish;
  // Kept by TreeJobs, for the debug log line at the end.
  net::Clock::time_point started{};
  net::Clock::duration busy{};
  net::Clock::duration longest{};  // the longest slice
  size_t slices = 0;
  size_t visited = 0;
};

class TreeJobs {
 public:
  TreeJobs(net::EventLoop& loop, const Metadata& meta, TreeJobLimits limits = {});
  ~TreeJobs();
  TreeJobs(const TreeJobs&) = delete;
  TreeJobs& operator=(const TreeJobs&) = delete;

  // Queues the job; its first slice runs on the next loop turn. kDelayed when the session
  // or the master already runs as many jobs as it may.
  Status Start(TreeJob job);
  // Would Start take a job of this session now (kDelayed if not)? A snapshot asks before
  // its first slice, which runs at once: one that could not go on must not begin.
  Status CanStart(uint32_t session) const;
  size_t running() const { return jobs_.size(); }
  const TreeJobLimits& limits() const { return limits_; }

 private:
  void Schedule();
  void RunSlice();

  net::EventLoop& loop_;
  const Metadata& meta_;
  TreeJobLimits limits_;
  std::deque<TreeJob> jobs_;  // round robin: the front runs next
  net::TimerId timer_ = net::kNoTimer;
};

}  // namespace elk::master
