// A snapshot a slice at a time (mfsmakesnapshot on a live master). A slice first reads the
// source tree for the read check, then copies nodes one step at a time: each step copies one
// node (CopyStep) and queues that node's children. Live slices decide which steps to take;
// replay takes exactly the steps a SNAPNODES record names, through the same CopyStep, so it
// never walks a tree that may have changed since. See docs/master.md, "Snapshots".

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "master/namespace/namespace.h"

namespace elk::master {

Status Namespace::CheckSnapshotTop(const Cred& cred, InodeId src, InodeId dst_parent,
                                   std::string_view dst_name) const {
  const Node* snode = nodes_.Get(src);
  if (snode == nullptr || snode->detached()) return Status(Code::kNoEnt);
  ELK_RETURN_IF_ERROR(CheckAccess(cred, *snode, kMayRead));
  auto ddir = DirNode(dst_parent);
  if (!ddir.ok()) return ddir.status();
  ELK_RETURN_IF_ERROR(CheckNewName(dst_name));
  ELK_RETURN_IF_ERROR(CheckAccess(cred, **ddir, kMayWrite | kMayExec));
  if (snode->is_dir() && IsAncestorOrSelf(src, dst_parent)) {
    return Status(Code::kInval, "cannot snapshot a directory into itself");
  }
  return Status::Ok();
}

// A copy is the snapshotter's own: every file it copies must be one they may read, every
// folder one they may list and enter, or a snapshot would hand out what a read refuses.
bool Namespace::SnapshotMayRead(const Cred& cred, const Node& node) const {
  if (cred.IsRoot()) return true;
  if (node.is_dir()) return Permits(cred, node, kMayRead | kMayExec);
  if (node.is_file()) return Permits(cred, node, kMayRead);
  return true;
}

Result<SnapshotWalk> Namespace::StartSnapshot(const Cred& cred, InodeId src, InodeId dst_parent,
                                              std::string_view dst_name, bool overwrite) const {
  ELK_RETURN_IF_ERROR(CheckSnapshotTop(cred, src, dst_parent, dst_name));
  if (!overwrite && DirOf(dst_parent).Find(dst_name) != 0) return Status(Code::kExist);
  SnapshotWalk walk;
  walk.cred = cred;
  walk.overwrite = overwrite;
  walk.src = src;
  walk.check = TreeWalk(src);
  if (cred.IsRoot()) walk.check.pending.clear();  // root reads everything
  walk.pending.push_back(SnapshotStep{src, dst_parent, std::string(dst_name), 0, true});
  return walk;
}

Result<InodeId> Namespace::CopyStep(const Cred& cred, const SnapshotStep& step, bool overwrite,
                                    uint32_t now, bool* made) {
  *made = false;
  if (step.top) {
    ELK_RETURN_IF_ERROR(CheckSnapshotTop(cred, step.src, step.dst_parent, step.name));
  } else {
    const Node* s = nodes_.Get(step.src);
    if (s == nullptr || s->detached()) return Status(Code::kNoEnt);
    auto d = DirNode(step.dst_parent);
    if (!d.ok()) return d.status();
    ELK_RETURN_IF_ERROR(CheckNewName(step.name));
  }
  const Node& snode = nodes_.At(step.src);
  if (!SnapshotMayRead(cred, snode)) {
    return Status(Code::kAccess, "the tree holds nodes the snapshotter may not read");
  }
  const bool merge = snode.is_dir() && DirOf(step.dst_parent).Find(step.name) != 0;
  auto into = CopyOne(cred, step.src, step.dst_parent, step.name, overwrite, now);
  *made = into.ok() && !merge;
  return into;
}

size_t Namespace::QueueSnapshotChildren(SnapshotWalk& walk, InodeId from, InodeId into) const {
  if (!nodes_.At(from).is_dir()) return 0;
  walk.targets.insert(into);
  const size_t mark = walk.pending.size();
  const Directory& dir = DirOf(from);
  dir.ForEach([&](std::string_view name, InodeId child) {
    if (walk.targets.count(child) != 0) return;  // a copy of this snapshot: never a source
    walk.pending.push_back(SnapshotStep{child, into, std::string(name), 0, false});
  });
  std::reverse(walk.pending.begin() + static_cast<std::ptrdiff_t>(mark), walk.pending.end());
  return dir.size();
}

Status Namespace::SnapshotSome(SnapshotWalk& walk, size_t budget, uint32_t now,
                               std::vector<SnapshotStep>* made) {
  size_t work = 0;
  if (!walk.check.done()) {
    std::vector<InodeId> ids;
    work = WalkSome(walk.check, budget, &ids);
    for (InodeId id : ids) {
      if (SnapshotMayRead(walk.cred, nodes_.At(id))) continue;
      walk.check.pending.clear();
      walk.pending.clear();
      return Status(Code::kAccess, "the tree holds nodes the snapshotter may not read");
    }
    if (!walk.check.done()) return Status::Ok();
  }
  while (!walk.pending.empty() && work < budget) {
    SnapshotStep step = std::move(walk.pending.back());
    walk.pending.pop_back();
    ++work;
    bool step_made = false;
    auto into = CopyStep(walk.cred, step, walk.overwrite, now, &step_made);
    // The top's failure, or a node made unreadable since the check, ends the snapshot; any
    // other step fails only when its node is gone (skipped) or cannot be merged into.
    if (!into.ok() && (step.top || into.code() == Code::kAccess)) {
      walk.pending.clear();
      return into.status();
    }
    if (!into.ok()) continue;
    if (step.top) walk.top = *into;
    work += QueueSnapshotChildren(walk, step.src, *into);
    if (!step_made) continue;
    step.copy = *into;
    ++walk.copied;
    made->push_back(std::move(step));
  }
  return Status::Ok();
}

Result<uint64_t> Namespace::ApplySnapshotSteps(const Cred& cred, bool overwrite,
                                               std::span<const SnapshotStep> steps, uint32_t now) {
  for (const SnapshotStep& step : steps) {
    bool made = false;
    auto into = CopyStep(cred, step, overwrite, now, &made);
    if (!into.ok()) return into.status();
    if (!made || *into != step.copy) {
      return Status(Code::kCorruption, "a snapshot step made another node than logged");
    }
  }
  return steps.size();
}

}  // namespace elk::master
