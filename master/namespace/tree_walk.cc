// Recursive requests a slice at a time: a walk that resumes from inode ids, and the per-node
// summaries of mfsgetgoal -r, mfsgettrashtime -r and mfsdirinfo over the ids a slice visited.

#include <string_view>

#include "common/stored_size.h"
#include "master/namespace/namespace.h"

namespace elk::master {

size_t Namespace::WalkSome(TreeWalk& walk, size_t budget, std::vector<InodeId>* visited) const {
  // A directory's children are pushed when it is visited, so each visit costs its entries
  // too: they count against the budget, or one huge directory would be a long slice.
  size_t work = 0;
  while (!walk.pending.empty() && work < budget) {
    InodeId id = walk.pending.back();
    walk.pending.pop_back();
    ++work;
    const Node* node = nodes_.Get(id);
    // Freed, or unlinked into trash/reserved since its parent was visited: not in the tree.
    if (node == nullptr || (id != walk.top && node->detached())) continue;
    visited->push_back(id);
    if (!node->is_dir()) continue;
    const Directory& dir = DirOf(id);
    work += dir.size();
    dir.ForEach([&walk](std::string_view, InodeId child) { walk.pending.push_back(child); });
  }
  return work;
}

std::vector<InodeId> Namespace::TreeIds(InodeId inode) const {
  TreeWalk walk(inode);
  std::vector<InodeId> ids;
  WalkSome(walk, SIZE_MAX, &ids);
  return ids;
}

void Namespace::AddGoals(std::span<const InodeId> ids, ValueSummary* summary) const {
  for (InodeId id : ids) {
    const Node* node = nodes_.Get(id);
    if (node == nullptr) continue;
    auto& counts = summary->by_value[node->goal];
    node->is_dir() ? ++counts.dirs : ++counts.files;
  }
}

void Namespace::AddTrashTimes(std::span<const InodeId> ids, ValueSummary* summary) const {
  for (InodeId id : ids) {
    const Node* node = nodes_.Get(id);
    if (node == nullptr) continue;
    auto& counts = summary->by_value[node->trashtime];
    node->is_dir() ? ++counts.dirs : ++counts.files;
  }
}

void Namespace::AddDirInfo(std::span<const InodeId> ids, DirInfo* info) const {
  for (InodeId id : ids) {
    const Node* node = nodes_.Get(id);
    if (node == nullptr) continue;
    ++info->inodes;
    if (node->is_dir()) ++info->dirs;
    if (!node->is_file()) continue;
    ++info->files;
    // The chunks the file really has: a sparse file's holes hold nothing.
    uint64_t size = 0;
    node->chunks.ForEach([&](uint32_t index, ChunkId) {
      ++info->chunks;
      size += ChunkStoredBytes(node->length, index);
    });
    info->length += node->length;
    info->size += size;
    info->realsize += size * node->goal;
  }
}

}  // namespace elk::master
