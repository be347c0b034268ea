// Detached files: trash (unlinked, kept for their trash time), reserved (unlinked while
// open, kept until the last close), and the open counts that decide between them.

#include <algorithm>
#include <map>

#include "master/namespace/namespace.h"

namespace elk::master {

Status Namespace::Open(InodeId inode, uint32_t session, uint8_t mode) {
  if (nodes_.Get(inode) == nullptr) return Status(Code::kNoEnt);
  OpenCount& open = opens_[{inode, session}];
  ++open.count;
  open.mode |= mode & kOpenedAny;
  return Status::Ok();
}

uint8_t Namespace::OpenModeOf(InodeId inode, uint32_t session) const {
  auto it = opens_.find({inode, session});
  return it == opens_.end() ? 0 : it->second.mode;
}

std::set<uint32_t> Namespace::SessionsWithOpens() const {
  std::set<uint32_t> out;
  for (const auto& [key, open] : opens_)
    out.insert(key.second);
  return out;
}

std::vector<std::pair<InodeId, uint32_t>> Namespace::OpensOf(uint32_t session) const {
  std::vector<std::pair<InodeId, uint32_t>> out;
  for (const auto& [key, open] : opens_) {
    if (key.second == session) out.emplace_back(key.first, open.count);
  }
  return out;
}

std::vector<Namespace::OpenedBy> Namespace::Opens(size_t max) const {
  std::vector<OpenedBy> out;
  for (auto it = opens_.begin(); it != opens_.end() && out.size() < max; ++it)
    out.push_back({it->first.first, it->first.second, it->second.count, it->second.mode});
  return out;
}

bool Namespace::IsOpen(InodeId inode) const {
  auto it = opens_.lower_bound({inode, 0});
  return it != opens_.end() && it->first.first == inode;
}

std::vector<ChunkId> Namespace::Close(InodeId inode, uint32_t session, uint32_t now) {
  std::vector<ChunkId> gone;
  auto it = opens_.find({inode, session});
  if (it == opens_.end()) return gone;
  if (--it->second.count == 0) opens_.erase(it);
  const Node* node = nodes_.Get(inode);
  if (node != nullptr && (node->flags & kFlagReserved) && !IsOpen(inode)) {
    FreeNode(inode, &gone, now);
  }
  return gone;
}

std::vector<SessionOpen> Namespace::TrimmedOpens(uint32_t session,
                                                 std::span<const SessionOpen> claimed) const {
  std::map<InodeId, const SessionOpen*> said;
  for (const SessionOpen& c : claimed)
    said[c.inode] = &c;
  std::vector<SessionOpen> changed;
  for (const auto& [key, open] : opens_) {
    if (key.second != session) continue;
    auto it = said.find(key.first);
    const uint32_t count = it == said.end() ? 0 : std::min(open.count, it->second->count);
    const uint8_t mode = count == 0 ? 0 : (open.mode & it->second->mode);
    if (count != open.count || mode != open.mode) changed.push_back({key.first, count, mode});
  }
  return changed;
}

void Namespace::SetOpens(uint32_t session, std::span<const SessionOpen> opens, uint32_t now) {
  for (const SessionOpen& o : opens) {
    if (o.count != 0) {
      opens_[{o.inode, session}] = OpenCount{o.count, o.mode};
      continue;
    }
    opens_.erase({o.inode, session});
    const Node* node = nodes_.Get(o.inode);
    if (node != nullptr && (node->flags & kFlagReserved) && !IsOpen(o.inode)) {
      std::vector<ChunkId> gone;
      FreeNode(o.inode, &gone, now);
    }
  }
}

std::vector<DetachedItem> Namespace::ListTrash() const {
  std::vector<DetachedItem> items;
  for (const auto& [inode, info] : trash_)
    items.push_back({inode, info.path, info.expires});
  return items;
}

std::vector<DetachedItem> Namespace::ListReserved() const {
  std::vector<DetachedItem> items;
  for (const auto& [inode, path] : reserved_)
    items.push_back({inode, path, 0});
  return items;
}

Result<std::vector<ChunkId>> Namespace::PurgeTrashItem(InodeId inode, uint32_t now) {
  auto it = trash_.find(inode);
  if (it == trash_.end()) return Status(Code::kNoEnt, "not in trash");
  std::vector<ChunkId> gone;
  if (IsOpen(inode)) {
    // Still open: it waits in reserved for its last close, under the same path.
    Node& node = nodes_.At(inode);
    reserved_[inode] = std::move(it->second.path);
    trash_by_expiry_.erase({it->second.expires, inode});
    trash_.erase(it);
    CountOut(node);
    node.flags = static_cast<uint8_t>((node.flags & ~kFlagTrash) | kFlagReserved);
    CountIn(node);
    return gone;
  }
  FreeNode(inode, &gone, now);
  return gone;
}

std::vector<ChunkId> Namespace::PurgeExpired(uint32_t now, size_t max_items) {
  std::vector<ChunkId> gone;
  for (size_t done = 0; done < max_items && !trash_by_expiry_.empty(); ++done) {
    auto [expires, inode] = *trash_by_expiry_.begin();
    if (expires > now) break;
    auto freed = PurgeTrashItem(inode, now);
    gone.insert(gone.end(), freed->begin(), freed->end());
  }
  return gone;
}

Status Namespace::Undelete(InodeId inode, uint32_t now) {
  auto it = trash_.find(inode);
  if (it == trash_.end()) return Status(Code::kNoEnt, "not in trash");
  std::string_view path = it->second.path;
  size_t last = path.rfind('/');
  std::string_view leaf = path.substr(last + 1);

  // Walk (and recreate where missing) the directories above the file.
  InodeId dir = kRootInode;
  for (size_t pos = 1; pos <= last;) {
    size_t end = path.find('/', pos);
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    InodeId next = DirOf(dir).Find(part);
    if (next == 0) {
      auto made = NewNode(Cred{}, dir, part, NodeType::kDirectory, 0755, now);
      if (!made.ok()) return made.status();
      next = *made;
    } else if (!nodes_.At(next).is_dir()) {
      return Status(Code::kNotDir, std::string(part));
    }
    dir = next;
  }
  if (DirOf(dir).Find(leaf) != 0) return Status(Code::kExist, std::string(leaf));

  Node& node = nodes_.At(inode);
  AddEntry(dir, nodes_.At(dir), leaf, inode, now);
  trash_by_expiry_.erase({it->second.expires, inode});
  trash_.erase(it);  // leaf points into the path: used above, not after
  CountOut(node);
  node.flags &= static_cast<uint8_t>(~kFlagTrash);
  CountIn(node);
  node.nlink = 1;
  node.ctime = now;
  return Status::Ok();
}

Result<DetachedItem> Namespace::GetDetached(InodeId inode, bool trash) const {
  if (trash) {
    auto it = trash_.find(inode);
    if (it == trash_.end()) return Status(Code::kNoEnt, "not in trash");
    return DetachedItem{inode, it->second.path, it->second.expires};
  }
  auto it = reserved_.find(inode);
  if (it == reserved_.end()) return Status(Code::kNoEnt, "not reserved");
  return DetachedItem{inode, it->second, 0};
}

Result<std::string> Namespace::NormalizeTrashPath(std::string_view path) {
  // Undelete walks the path component by component and makes the missing folders, so each
  // component must be a name a folder could hold; the leading '/' is optional, as MooseFS
  // keeps paths without it and ElkFS with it.
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return Status(Code::kInval, "empty path");
  if (path.size() + 1 > kMaxTrashPathLength) return Status(Code::kInval, "path too long");
  for (size_t pos = 0; pos <= path.size();) {
    size_t end = std::min(path.find('/', pos), path.size());
    std::string_view part = path.substr(pos, end - pos);
    if (part.empty() || part == "." || part == ".." || part.size() > kMaxNameLength ||
        part.find('\0') != std::string_view::npos) {
      return Status(Code::kInval, "bad path component");
    }
    pos = end + 1;
  }
  return "/" + std::string(path);
}

Status Namespace::SetTrashPath(InodeId inode, std::string_view path) {
  auto it = trash_.find(inode);
  if (it == trash_.end()) return Status(Code::kNoEnt, "not in trash");
  auto normal = NormalizeTrashPath(path);
  if (!normal.ok()) return normal.status();
  it->second.path = std::move(*normal);
  return Status::Ok();
}

}  // namespace elk::master
