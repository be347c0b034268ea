// Goal and trash time, one node or a whole tree at a time, and the per-tree summaries
// that mfsgetgoal -r, mfsgettrashtime -r and mfsdirinfo print (a whole tree in one call;
// tree_walk.cc has the slice-at-a-time pieces these are built from).

#include <algorithm>
#include <functional>

#include "master/namespace/namespace.h"

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
  std::vector<InodeId> ids = recursive ? TreeIds(inode) : std::vector<InodeId>{inode};
  return SetEachOf(cred, ids, now, change, nullptr);
}

RecursiveSetCounts Namespace::SetEachOf(const Cred& cred, std::span<const InodeId> ids,
                                        uint32_t now, const std::function<bool(Node&)>& change,
                                        std::vector<InodeId>* changed) {
  RecursiveSetCounts counts;
  for (InodeId id : ids) {
    Node* node = nodes_.Get(id);
    if (node == nullptr) continue;
    if (!cred.IsRoot() && cred.uid != node->uid) {
      ++counts.not_permitted;
    } else if (!change(*node)) {
      ++counts.not_changed;
    } else {
      node->ctime = now;
      ++counts.changed;
      if (changed != nullptr) changed->push_back(id);
    }
  }
  return counts;
}

namespace {

bool GoalValid(uint8_t goal) {
  return goal >= kMinGoal && goal <= kMaxGoal;
}

}  // namespace

Result<RecursiveSetCounts> Namespace::SetGoal(const Cred& cred, InodeId inode, uint8_t goal,
                                              SetMode mode, bool recursive, uint32_t now) {
  if (!GoalValid(goal)) return Status(Code::kInval, "goal must be 1..9");
  return SetEach(cred, inode, recursive, now, [&](Node& node) {
    uint8_t value = Apply(mode, node.goal, goal);
    if (value == node.goal) return false;
    node.chunks.ForEach([&](uint32_t, ChunkId c) { refs_.ChangeGoal(c, node.goal, value); });
    node.goal = value;
    return true;
  });
}

Result<RecursiveSetCounts> Namespace::SetGoalOf(const Cred& cred, std::span<const InodeId> ids,
                                                uint8_t goal, SetMode mode, uint32_t now,
                                                std::vector<InodeId>* changed) {
  if (!GoalValid(goal)) return Status(Code::kInval, "goal must be 1..9");
  return SetEachOf(
      cred, ids, now,
      [&](Node& node) {
        uint8_t value = Apply(mode, node.goal, goal);
        if (value == node.goal) return false;
        node.chunks.ForEach([&](uint32_t, ChunkId c) { refs_.ChangeGoal(c, node.goal, value); });
        node.goal = value;
        return true;
      },
      changed);
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

RecursiveSetCounts Namespace::SetTrashTimeOf(const Cred& cred, std::span<const InodeId> ids,
                                             uint32_t trashtime, SetMode mode, uint32_t now,
                                             std::vector<InodeId>* changed) {
  return SetEachOf(
      cred, ids, now,
      [&](Node& node) {
        uint32_t value = Apply(mode, node.trashtime, trashtime);
        if (value == node.trashtime) return false;
        node.trashtime = value;
        return true;
      },
      changed);
}

Result<ValueSummary> Namespace::GetGoalRecursive(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  ValueSummary summary;
  AddGoals(TreeIds(inode), &summary);
  return summary;
}

Result<ValueSummary> Namespace::GetTrashTimeRecursive(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  ValueSummary summary;
  AddTrashTimes(TreeIds(inode), &summary);
  return summary;
}

Result<DirInfo> Namespace::GetDirInfo(InodeId inode) const {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  DirInfo info;
  AddDirInfo(TreeIds(inode), &info);
  return info;
}

}  // namespace elk::master
