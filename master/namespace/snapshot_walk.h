#pragma once
// A snapshot a slice at a time (Namespace::SnapshotSome): the steps it still has to take and
// the steps a slice took, which the changelog's SNAPNODES records name one by one.

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "master/namespace/types.h"

namespace elk::master {

// One node of a snapshot: the copy of `src` becomes dst_parent/name. `copy` is the node the
// step made (0 until it is made); replay checks it makes the same one.
struct SnapshotStep {
  InodeId src = 0;
  InodeId dst_parent = 0;
  std::string name;
  InodeId copy = 0;
  // The snapshot's first step: checked as the request is (the destination must be writable,
  // not inside the source), where later steps only need their parent directory to exist.
  bool top = false;
};

// A snapshot in progress. Made by Namespace::StartSnapshot, advanced by SnapshotSome.
struct SnapshotWalk {
  Cred cred;
  bool overwrite = false;
  InodeId src = 0;
  // The read check over the source tree, before anything is copied (not for root).
  TreeWalk check;
  // The copy of the source's top (0 until the first copying slice made it).
  InodeId top = 0;
  bool top_done = false;
  // A stack: the next node to copy is at the back. Depth first, children in directory
  // order, as a snapshot always copied (inode numbers are given out in that order).
  std::vector<SnapshotStep> pending;
  // Directories this snapshot wrote into (made or merged into): never copied from, so a
  // copy that another client moves into the source cannot make the snapshot copy itself.
  std::unordered_set<InodeId> targets;
  uint64_t copied = 0;  // nodes made so far

  bool done() const { return check.done() && pending.empty(); }
};

}  // namespace elk::master
