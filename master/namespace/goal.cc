// Goal and trash time, one node or a whole tree at a time, and the per-tree summaries
// that mfsgetgoal -r, mfsgettrashtime -r and mfsdirinfo print.

#include <algorithm>
#include <functional>

#include "master/namespace/namespace.h"
#include "master/namespace/walk.h"

namespace elk::master {

namespace {

template <typename T>
T Apply(SetMode mode, T current, T wanted) {
  switch (mode) {
    case SetMode::kIncrease:
      return std::max(current, wanted);
    case SetMode::kDecrease:
      return std::min(current, wanted);
    case SetMode::kSet:
      break;
  }
  return wanted;
}

}  // namespace

Result<uint8_t> Namespace::GetGoal(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  return node->goal;
}

Result<uint32_t> Namespace::GetTrashTime(InodeId inode) const {
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return Status(Code::kNoEnt);
  return node->trashtime;
}

// One node, or with recursive the whole tree under it: only the owner or root may change a
// node; `change` applies the new value and says whether it changed anything.
Result<RecursiveSetCounts> Namespace::SetEach(const Cred& cred, InodeId inode, bool recursive,
                                              uint32_t now,
                                              const std::function<bool(Node&)>& change) {
  const Node* top = nodes_.Get(inode);
  if (top == nullptr) return Status(Code::kNoEnt);
  if (!recursive && !cred.IsRoot() && cred.uid != top->uid) return Status(Code::kPerm);
  std::vector<InodeId> ids{inode};
  if (recursive) {
    ids.clear();
    Walk(inode, [&ids](InodeId id, const Node&) { ids.push_back(id); });
  }
  RecursiveSetCounts counts;
  for (InodeId id : ids) {
    Node& node = nodes_.At(id);
    if (!cred.IsRoot() && cred.uid != node.uid) {
      ++counts.not_permitted;
    } else if (!change(node)) {
      ++counts.not_changed;
    } else {
      node.ctime = now;
      ++counts.changed;
    }
  }
  return counts;
}

Result<RecursiveSetCounts> Namespace::SetGoal(const Cred& cred, InodeId inode, uint8_t goal,
                                              SetMode mode, bool recursive, uint32_t now) {
  if (goal < kMinGoal || goal > kMaxGoal) return Status(Code::kInval, "goal must be 1..9");
  return SetEach(cred, inode, recursive, now, [&](Node& node) {
    uint8_t value = Apply(mode, node.goal, goal);
    if (value == node.goal) return false;
    node.chunks.ForEach([&](uint32_t, ChunkId c) { refs_.ChangeGoal(c, node.goal, value); });
    node.goal = value;
    return true;
  });
}

Result<RecursiveSetCounts> Namespace::SetTrashTime(const Cred& cred, InodeId inode,
                                                   uint32_t trashtime, SetMode mode, bool recursive,
                                                   uint32_t now) {
  return SetEach(cred, inode, recursive, now, [&](Node& node) {
    uint32_t value = Apply(mode, node.trashtime, trashtime);
    if (value == node.trashtime) return false;
    node.trashtime = value;
    return true;
  });
}

Result<ValueSummary> Namespace::GetGoalRecursive(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  ValueSummary summary;
  Walk(inode, [&summary](InodeId, const Node& node) {
    auto& counts = summary.by_value[node.goal];
    node.is_dir() ? ++counts.dirs : ++counts.files;
  });
  return summary;
}

Result<ValueSummary> Namespace::GetTrashTimeRecursive(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  ValueSummary summary;
  Walk(inode, [&summary](InodeId, const Node& node) {
    auto& counts = summary.by_value[node.trashtime];
    node.is_dir() ? ++counts.dirs : ++counts.files;
  });
  return summary;
}

Result<DirInfo> Namespace::GetDirInfo(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  DirInfo info;
  Walk(inode, [&info](InodeId, const Node& node) {
    ++info.inodes;
    if (node.is_dir()) ++info.dirs;
    if (!node.is_file()) return;
    ++info.files;
    info.chunks += node.chunks.CountPresent();
    uint64_t size = (node.length + kBlockSize - 1) / kBlockSize * kBlockSize;
    info.length += node.length;
    info.size += size;
    info.realsize += size * node.goal;
  });
  return info;
}

}  // namespace elk::master
