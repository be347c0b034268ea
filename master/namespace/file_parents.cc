// Which directories hold a file's links. A session mounted on a subfolder may only reach
// nodes under that folder, and a file's inode number alone does not say where it lives, so
// the namespace remembers: Node::parent is one directory holding the file (its primary
// parent), and the rare file linked from several directories keeps the others, sorted, in
// extra_parents_. The rules are deterministic - the primary stays until its link goes, then
// the smallest remaining parent takes over - so a master replaying the changelog, or loading
// an image (which stores the primary; the rest is rebuilt from directory entries), reaches
// exactly the state the live master had.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "master/namespace/namespace.h"

namespace elk::master {

void Namespace::AddFileParent(InodeId file, InodeId dir) {
  Node& node = nodes_.At(file);
  if (node.parent == 0) {
    node.parent = dir;
    return;
  }
  auto& extra = extra_parents_[file];
  extra.insert(std::upper_bound(extra.begin(), extra.end(), dir), dir);
}

void Namespace::RemoveFileParent(InodeId file, InodeId dir) {
  Node& node = nodes_.At(file);
  auto it = extra_parents_.find(file);
  if (node.parent == dir) {
    node.parent = 0;
    if (it == extra_parents_.end()) return;
    node.parent = it->second.front();
    it->second.erase(it->second.begin());
  } else if (it != extra_parents_.end()) {
    auto pos = std::lower_bound(it->second.begin(), it->second.end(), dir);
    if (pos != it->second.end() && *pos == dir) it->second.erase(pos);
  }
  if (it != extra_parents_.end() && it->second.empty()) extra_parents_.erase(it);
}

void Namespace::MoveFileParent(InodeId file, InodeId from, InodeId to) {
  RemoveFileParent(file, from);
  AddFileParent(file, to);
}

bool Namespace::Within(InodeId root, InodeId inode, uint32_t session) const {
  if (root == kRootInode) return true;
  const Node* node = nodes_.Get(inode);
  if (node == nullptr) return true;  // the request itself answers "no such node"
  if (node->is_dir()) return IsAncestorOrSelf(root, inode);
  if (node->parent == 0) {
    // Unlinked but still open: only the sessions that hold it open may go on using it.
    auto it = opens_.lower_bound({inode, session});
    return it != opens_.end() && it->first == std::pair{inode, session};
  }
  if (IsAncestorOrSelf(root, node->parent)) return true;
  auto extra = extra_parents_.find(inode);
  if (extra == extra_parents_.end()) return false;
  return std::any_of(extra->second.begin(), extra->second.end(),
                     [&](InodeId dir) { return IsAncestorOrSelf(root, dir); });
}

std::vector<std::string> Namespace::PathsOf(InodeId inode, size_t& budget) const {
  std::vector<std::string> paths;
  const Node* node = nodes_.Get(inode);
  if (node == nullptr || node->detached()) return paths;
  if (node->is_dir()) return {inode == kRootInode ? "/" : PathOf(inode)};
  if (node->parent == 0) return paths;
  // The primary parent first, then the others (sorted); a folder holding two links of the
  // file is read once.
  std::vector<InodeId> dirs = {node->parent};
  if (auto extra = extra_parents_.find(inode); extra != extra_parents_.end()) {
    for (InodeId dir : extra->second)
      if (dir != dirs.front() && dir != dirs.back()) dirs.push_back(dir);
  }
  for (InodeId dir : dirs) {
    if (budget == 0) break;
    // Entries know their child, not the other way round: the folder is read for its names.
    const std::string folder = PathOf(dir);
    DirOf(dir).ForEachFrom(0, [&](std::string_view name, InodeId child, uint64_t) {
      if (child == inode) paths.push_back(fmt::format("{}/{}", folder, name));
      return --budget > 0;
    });
  }
  return paths;
}

// After loading: the image gave each file its primary parent (0 in images written before
// file parents were kept: then the first directory found holding it becomes the primary);
// every other link becomes an extra parent. Files with one link need no bookkeeping.
Status Namespace::RebuildFileParents() {
  extra_parents_.clear();
  std::unordered_set<InodeId> primary_seen;  // multi-link files whose primary entry was met
  Status bad;
  nodes_.ForEach([&](InodeId dir, const Node& d) {
    if (!d.is_dir() || !bad.ok()) return;
    DirOf(dir).ForEach([&](std::string_view, InodeId child) {
      Node* node = nodes_.Get(child);
      if (node == nullptr || node->is_dir()) return;  // CheckLoaded reports bad entries
      if (node->detached()) {
        bad = Status(Code::kCorruption,
                     fmt::format("namespace section: detached node {} has a name", child));
      } else if (node->parent == 0) {
        node->parent = dir;
        if (node->nlink > 1) primary_seen.insert(child);
      } else if (node->nlink == 1) {
        if (node->parent != dir) {
          bad = Status(Code::kCorruption,
                       fmt::format("namespace section: parent of {} is not {}", child, dir));
        }
      } else if (node->parent == dir && primary_seen.insert(child).second) {
        // the primary link of a file with several
      } else {
        extra_parents_[child].push_back(dir);
      }
    });
  });
  if (!bad.ok()) return bad;
  for (auto& [file, dirs] : extra_parents_) {
    if (dirs.size() + 1 != nodes_.At(file).nlink || !primary_seen.contains(file)) {
      return Status(Code::kCorruption,
                    fmt::format("namespace section: links of {} do not match its entries", file));
    }
    std::sort(dirs.begin(), dirs.end());
  }
  return Status::Ok();
}

}  // namespace elk::master
