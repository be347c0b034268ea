// Snapshots, logged a slice at a time. Each slice of a snapshot logs SNAPNODES records that
// name every node it made - source, parent, name, new inode - so replay takes exactly those
// steps through the same Namespace::CopyStep, whatever else happened between the slices. The
// whole-tree SNAPSHOT records of older changelogs still replay through ops.cc.

#include <cstdint>
#include <span>
#include <vector>

#include "master/meta/state.h"

namespace elk::master {

using changelog::BodyWriter;
using meta_internal::Args;
using meta_internal::MetaState;
using meta_internal::PutCred;

namespace {

// A record names at most this many steps, and stops taking steps once it holds this many
// bytes (a step takes at most 33 digits and a name of 255 bytes escaped to 765): far below
// the 1 MiB a record may take on its way to a metalogger (MATOML_CHANGELOG).
constexpr size_t kMaxStepsPerRecord = 16384;
constexpr size_t kMaxRecordBytes = 512 * 1024;

// SNAPNODES(top,overwrite,<cred>,src,dst_parent,"name",copy,...):count - as many steps as
// fit, from steps.front(). Returns how many it took.
size_t StepsRecord(uint32_t now, const SnapshotWalk& walk, std::span<const SnapshotStep> steps,
                   std::string* body) {
  BodyWriter w(now, "SNAPNODES");
  w.Num(steps.front().top ? 1 : 0).Num(walk.overwrite ? 1 : 0);
  PutCred(w, walk.cred);
  size_t n = 0;
  while (n < steps.size() && n < kMaxStepsPerRecord && w.size() < kMaxRecordBytes) {
    const SnapshotStep& s = steps[n++];
    w.Num(s.src).Num(s.dst_parent).Str(s.name).Num(s.copy);
  }
  *body = w.Done(n);
  return n;
}

// Logs the steps a slice took in records of bounded size.
Status LogSteps(MetaState& st, const SnapshotWalk& walk, std::span<const SnapshotStep> steps,
                uint32_t now) {
  while (!steps.empty()) {
    std::string body;
    const size_t taken = StepsRecord(now, walk, steps, &body);
    ELK_RETURN_IF_ERROR(st.Log(std::move(body)));
    steps = steps.subspan(taken);
  }
  return Status::Ok();
}

Result<uint64_t> ReplaySnapNodes(MetaState& st, Args& a, uint32_t ts) {
  const bool top = a.Num<uint8_t>() != 0;
  const bool overwrite = a.Num<uint8_t>() != 0;
  Cred cred = a.ReadCred();
  std::vector<SnapshotStep> steps;
  while (!a.AtEnd() && steps.size() < kMaxStepsPerRecord) {
    SnapshotStep& s = steps.emplace_back();
    s.src = a.Num<InodeId>();
    s.dst_parent = a.Num<InodeId>();
    s.name = a.Str();
    s.copy = a.Num<InodeId>();
  }
  if (steps.empty()) return Status(Code::kCorruption, "SNAPNODES: no step");
  steps.front().top = top;
  ELK_RETURN_IF_ERROR(a.Finish("SNAPNODES"));
  return st.ns->ApplySnapshotSteps(cred, overwrite, steps, ts);
}

}  // namespace

meta_internal::ReplayFn meta_internal::FindSnapshotReplay(std::string_view op) {
  return op == "SNAPNODES" ? &ReplaySnapNodes : nullptr;
}

Result<SnapshotWalk> Metadata::StartSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                             std::string_view dst_name, bool overwrite) const {
  return state_->ns->StartSnapshot(cred, src, dst_parent, dst_name, overwrite);
}

Status Metadata::SnapshotSome(SnapshotWalk& walk, size_t budget, uint32_t now) {
  std::vector<SnapshotStep> made;
  Status s = state_->ns->SnapshotSome(walk, budget, now, &made);
  // What the slice made stays even when it then failed: it is logged either way.
  ELK_RETURN_IF_ERROR(LogSteps(*state_, walk, made, now));
  return s;
}

Result<Attr> Metadata::MakeSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                    std::string_view dst_name, bool overwrite, uint32_t now) {
  auto walk = StartSnapshot(cred, src, dst_parent, dst_name, overwrite);
  if (!walk.ok()) return walk.status();
  while (!walk->done())
    ELK_RETURN_IF_ERROR(SnapshotSome(*walk, SIZE_MAX, now));
  return state_->ns->GetAttr(walk->top);
}

}  // namespace elk::master
