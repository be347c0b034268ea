// The totals STATFS and the monitor report (files, folders, lengths, trash, reserved),
// kept as nodes come, go, change length or move to trash or reserved, so answering costs
// nothing however large the namespace: a client calling statfs in a loop walks nothing.

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {

// The counters a node adds to (or takes from) the totals: sign +1 or -1 (as a wrap).
void Add(StatFs& s, const Node& n, uint64_t sign) {
  if (n.type == NodeType::kNone) return;
  if (n.is_dir()) {
    s.dirs += sign;
  } else if (n.flags & kFlagTrash) {
    s.trash_files += sign;
    s.trash_length += sign * n.length;
  } else if (n.flags & kFlagReserved) {
    s.reserved_files += sign;
    s.reserved_length += sign * n.length;
  } else {
    s.files += sign;
    s.total_length += sign * n.length;
  }
}

}  // namespace

StatFs Namespace::Stats() const {
  return totals_;
}

StatFs Namespace::WalkStats() const {
  StatFs s;
  nodes_.ForEach([&](InodeId, const Node& n) { Add(s, n, 1); });
  return s;
}

void Namespace::CountIn(const Node& node) {
  Add(totals_, node, 1);
}
void Namespace::CountOut(const Node& node) {
  Add(totals_, node, ~uint64_t{0});
}

}  // namespace elk::master
