// Goal, trash-time, dirinfo and snapshot requests of a client link. One node is answered at once; a
// recursive request (-r, and every dirinfo) becomes a TreeJob that runs a slice per loop turn and
// replies at its end, with the same counts a single pass would give on an unchanging tree. A
// snapshot runs its first slice at once: one that fits (a file, a small folder) is answered on the
// same turn, a bigger one goes on as a TreeJob.
#include <memory>
#include <utility>

#include "master/server/client_link.h"
#include "master/server/tree_jobs.h"

namespace elk::master {

namespace proto = protocol;

namespace {

template <typename Count, typename V>
std::vector<Count> Summaries(const ValueSummary& s) {
  std::vector<Count> out;
  for (const auto& [value, c] : s.by_value) {
    out.push_back(Count{static_cast<V>(value), static_cast<uint32_t>(c.files),
                        static_cast<uint32_t>(c.dirs)});
  }
  return out;
}

// One value for one node, as a one-entry summary.
ValueSummary SummaryOf(uint32_t value, bool dir) {
  ValueSummary s;
  (dir ? s.by_value[value].dirs : s.by_value[value].files) = 1;
  return s;
}

template <uint32_t Type>
proto::MatoclSetReply<Type> SetReply(uint32_t msgid, const RecursiveSetCounts& c) {
  return {msgid, static_cast<uint32_t>(c.changed), static_cast<uint32_t>(c.not_changed),
          static_cast<uint32_t>(c.not_permitted)};
}

}  // namespace

// Replies through the gate to this connection, if it is still open, once the job ends.
template <typename MakeReply>
std::function<void(const Status&)> ClientLink::JobReply(uint32_t msgid, MakeReply make) {
  std::weak_ptr<net::Connection> weak = conn_;
  ReplyGate& gate = ctx_.gate;
  return [weak, msgid, &gate, make = std::move(make)](const Status& s) {
    auto conn = weak.lock();
    if (!conn) return;
    if (!s.ok()) return gate.Reply(conn, proto::MatoclStatus{msgid, s.code()});
    gate.Reply(conn, make());
  };
}

void ClientLink::StartJob(uint32_t msgid, InodeId inode, TreeJob job) {
  if (!ctx_.meta.ns().GetAttr(inode).ok()) return ReplyStatus(msgid, Status(Code::kNoEnt));
  job.walk = TreeWalk(inode);
  QueueJob(msgid, std::move(job));
}

void ClientLink::QueueJob(uint32_t msgid, TreeJob job) {
  job.session = session_id_;
  std::weak_ptr<net::Connection> weak = conn_;
  job.alive = [weak] {
    auto conn = weak.lock();
    return conn != nullptr && conn->open();
  };
  if (Status s = ctx_.jobs->Start(std::move(job)); !s.ok()) ReplyStatus(msgid, s);
}

// The summary of a tree, gathered a slice at a time.
template <typename Count, typename V, typename Msg>
void ClientLink::StartSummary(uint32_t msgid, InodeId inode,
                              void (Namespace::*add)(std::span<const InodeId>, ValueSummary*)
                                  const) {
  auto summary = std::make_shared<ValueSummary>();
  const Metadata& meta = ctx_.meta;
  TreeJob job;
  job.slice = [&meta, summary, add](std::span<const InodeId> ids) {
    (meta.ns().*add)(ids, summary.get());
    return Status::Ok();
  };
  job.finish = JobReply(msgid, [msgid, summary] {
    return Msg{msgid, Summaries<Count, V>(*summary)};
  });
  StartJob(msgid, inode, std::move(job));
}

void ClientLink::Getgoal(const proto::CltomaGetgoal& m) {
  if (m.recursive) {
    return StartSummary<proto::GoalCount, uint8_t, proto::MatoclGetgoal>(m.msgid, m.inode,
                                                                         &Namespace::AddGoals);
  }
  auto a = ctx_.meta.ns().GetAttr(m.inode);
  if (!a.ok()) return ReplyStatus(m.msgid, a.status());
  ValueSummary s = SummaryOf(a->goal, a->type == NodeType::kDirectory);
  Reply(proto::MatoclGetgoal{m.msgid, Summaries<proto::GoalCount, uint8_t>(s)});
}

void ClientLink::Gettrashtime(const proto::CltomaGettrashtime& m) {
  if (m.recursive) {
    return StartSummary<proto::TrashtimeCount, uint32_t, proto::MatoclGettrashtime>(
        m.msgid, m.inode, &Namespace::AddTrashTimes);
  }
  auto a = ctx_.meta.ns().GetAttr(m.inode);
  if (!a.ok()) return ReplyStatus(m.msgid, a.status());
  ValueSummary s = SummaryOf(a->trashtime, a->type == NodeType::kDirectory);
  Reply(proto::MatoclGettrashtime{m.msgid, Summaries<proto::TrashtimeCount, uint32_t>(s)});
}

// mfsdirinfo: the tree's figures, summed a slice at a time (Namespace::AddDirInfo).
void ClientLink::Getdirstats(const proto::CltomaGetdirstats& m) {
  auto info = std::make_shared<DirInfo>();
  const Metadata& meta = ctx_.meta;
  TreeJob job;
  job.slice = [&meta, info](std::span<const InodeId> ids) {
    meta.ns().AddDirInfo(ids, info.get());
    return Status::Ok();
  };
  const uint32_t msgid = m.msgid;
  job.finish = JobReply(msgid, [msgid, info] {
    return proto::MatoclGetdirstats{msgid,        info->inodes, info->dirs, info->files,
                                    info->chunks, info->length, info->size, info->realsize};
  });
  StartJob(msgid, m.inode, std::move(job));
}

// A recursive change, a slice at a time: `apply` changes one slice's nodes (and logs them).
template <uint32_t Type, typename Apply>
void ClientLink::StartSet(uint32_t msgid, InodeId inode, Apply apply) {
  auto counts = std::make_shared<RecursiveSetCounts>();
  TreeJob job;
  job.slice = [counts, apply = std::move(apply)](std::span<const InodeId> ids) -> Status {
    Result<RecursiveSetCounts> r = apply(ids);
    if (!r.ok()) return r.status();
    *counts += *r;
    return Status::Ok();
  };
  job.finish = JobReply(msgid, [msgid, counts] { return SetReply<Type>(msgid, *counts); });
  StartJob(msgid, inode, std::move(job));
}

void ClientLink::Setgoal(const proto::CltomaSetgoal& m) {
  Status s = Writable();
  if (s.ok()) s = CheckGoal(options_, m.goal);
  if (s.ok() && (m.goal < kMinGoal || m.goal > kMaxGoal)) s = Status(Code::kInval);
  if (!s.ok()) return ReplyStatus(m.msgid, s);
  const Cred cred = MapCred(m.creds);
  const SetMode mode = FromWire(m.mode);
  if (m.recursive) {
    Metadata& meta = ctx_.meta;
    NowFn now = ctx_.now;
    return StartSet<proto::MATOCL_SETGOAL>(
        m.msgid, m.inode, [&meta, now, cred, mode, goal = m.goal](std::span<const InodeId> ids) {
          return meta.SetGoalOf(cred, ids, goal, mode, now());
        });
  }
  auto r = ctx_.meta.SetGoal(cred, m.inode, m.goal, mode, false, Now());
  if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  Reply(SetReply<proto::MATOCL_SETGOAL>(m.msgid, *r));
}

void ClientLink::Settrashtime(const proto::CltomaSettrashtime& m) {
  Status s = Writable();
  if (s.ok()) s = CheckTrashTime(options_, m.trashtime);
  if (!s.ok()) return ReplyStatus(m.msgid, s);
  const Cred cred = MapCred(m.creds);
  const SetMode mode = FromWire(m.mode);
  if (m.recursive) {
    Metadata& meta = ctx_.meta;
    NowFn now = ctx_.now;
    return StartSet<proto::MATOCL_SETTRASHTIME>(
        m.msgid, m.inode, [&meta, now, cred, mode, tt = m.trashtime](std::span<const InodeId> ids) {
          return meta.SetTrashTimeOf(cred, ids, tt, mode, now());
        });
  }
  auto r = ctx_.meta.SetTrashTime(cred, m.inode, m.trashtime, mode, false, Now());
  if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  Reply(SetReply<proto::MATOCL_SETTRASHTIME>(m.msgid, *r));
}

// mfsmakesnapshot. Checked at once (source, destination, write permission there); then the read
// check over the source and the copy run a slice at a time (Metadata::SnapshotSome). The reply
// comes when the last slice is done; a client that leaves stops the job, and what it copied
// stays, a valid partial copy (docs/master.md, "Snapshots").
void ClientLink::Snapshot(const proto::CltomaSnapshot& m) {
  Status s = Writable();
  if (!s.ok()) return ReplyStatus(m.msgid, s);
  auto walk =
      ctx_.meta.StartSnapshot(MapCred(m.creds), m.src_inode, m.dst_parent, m.dst_name, m.overwrite);
  if (!walk.ok()) return ReplyStatus(m.msgid, walk.status());
  // A snapshot that could not go on as a job must not begin.
  if (s = ctx_.jobs->CanStart(session_id_); !s.ok()) return ReplyStatus(m.msgid, s);
  auto shared = std::make_shared<SnapshotWalk>(std::move(*walk));
  Metadata& meta = ctx_.meta;
  NowFn now = ctx_.now;
  auto step = [&meta, now, shared](size_t budget) -> Result<bool> {
    ELK_RETURN_IF_ERROR(meta.SnapshotSome(*shared, budget, now()));
    return shared->done();
  };
  auto first = step(ctx_.jobs->limits().slice_nodes);
  if (!first.ok() || *first) return ReplyStatus(m.msgid, first.status());
  TreeJob job;
  job.step = std::move(step);
  const uint32_t msgid = m.msgid;
  job.finish = JobReply(msgid, [msgid] { return proto::MatoclStatus{msgid, Code::kOk}; });
  QueueJob(msgid, std::move(job));  // room was checked on this turn
}

}  // namespace elk::master
