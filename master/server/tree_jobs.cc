#include "master/server/tree_jobs.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/log/log.h"

namespace elk::master {

namespace {

int64_t Millis(net::Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

TreeJobs::TreeJobs(net::EventLoop& loop, const Metadata& meta, TreeJobLimits limits)
    : loop_(loop), meta_(meta), limits_(limits) {
  limits_.slice_nodes = std::max<size_t>(limits_.slice_nodes, 1);
}

TreeJobs::~TreeJobs() {
  loop_.Cancel(timer_);
}

Status TreeJobs::CanStart(uint32_t session) const {
  const auto mine = std::count_if(jobs_.begin(), jobs_.end(),
                                  [session](const TreeJob& j) { return j.session == session; });
  if (static_cast<size_t>(mine) >= limits_.per_session) {
    return Status(Code::kDelayed, "this session already runs its recursive requests");
  }
  if (jobs_.size() >= limits_.total) {
    return Status(Code::kDelayed, "the master already runs its recursive requests");
  }
  return Status::Ok();
}

Status TreeJobs::Start(TreeJob job) {
  ELK_RETURN_IF_ERROR(CanStart(job.session));
  job.started = net::Clock::now();
  jobs_.push_back(std::move(job));
  Schedule();
  return Status::Ok();
}

void TreeJobs::Schedule() {
  if (timer_ != net::kNoTimer || jobs_.empty()) return;
  // A timer set from a timer waits for the next loop turn, after the loop polled its
  // sockets: every peer is served between two slices.
  timer_ = loop_.RunAfter(net::Clock::duration::zero(), [this] {
    timer_ = net::kNoTimer;
    RunSlice();
    Schedule();
  });
}

void TreeJobs::RunSlice() {
  if (jobs_.empty()) return;
  TreeJob job = std::move(jobs_.front());
  jobs_.pop_front();
  if (job.alive && !job.alive()) return;  // the client left: stop between slices
  const auto start = net::Clock::now();
  Status s;
  bool done = false;
  if (job.step) {
    Result<bool> r = job.step(limits_.slice_nodes);
    s = r.status();
    done = r.ok() && *r;
  } else {
    std::vector<InodeId> ids;
    meta_.ns().WalkSome(job.walk, limits_.slice_nodes, &ids);
    s = job.slice ? job.slice(ids) : Status::Ok();
    job.visited += ids.size();
    done = job.walk.done();
  }
  const auto took = net::Clock::now() - start;
  job.busy += took;
  job.longest = std::max(job.longest, took);
  job.slices++;
  if (!s.ok() || done) {
    log::Debug(
        "recursive request of session {}: {} nodes in {} slices, {} ms on the loop (longest "
        "slice {} ms) in {} ms",
        job.session, job.visited, job.slices, Millis(job.busy), Millis(job.longest),
        Millis(net::Clock::now() - job.started));
    if (job.finish) job.finish(s);
    return;
  }
  jobs_.push_back(std::move(job));
}

}  // namespace elk::master
