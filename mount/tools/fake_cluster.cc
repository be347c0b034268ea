#include "mount/tools/fake_cluster.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <thread>

#include "common/file_limits.h"
#include "common/stored_size.h"
#include "mount/tools/dispatch.h"
#include "mount/tools/mount_locator.h"

namespace elk::tools::testing {
namespace {

Status NoEnt() {
  return Status(Code::kNoEnt, std::strerror(ENOENT));
}

std::vector<std::string> Split(const std::string& abs) {
  std::vector<std::string> parts;
  size_t pos = 1;
  while (pos <= abs.size()) {
    size_t next = abs.find('/', pos);
    if (next == std::string::npos) next = abs.size();
    if (next > pos) parts.push_back(abs.substr(pos, next - pos));
    pos = next + 1;
  }
  return parts;
}

void AddCount(std::vector<ValueCount>& lines, uint32_t value) {
  auto it = std::find_if(lines.begin(), lines.end(),
                         [&](const ValueCount& vc) { return vc.value == value; });
  if (it == lines.end()) {
    lines.push_back({value, 1});
  } else {
    ++it->count;
  }
}

}  // namespace

FakeTree::FakeTree(std::string mount_point, std::string cwd)
    : mount_point_(std::move(mount_point)), cwd_(std::move(cwd)) {
  FakeNode root;
  root.dir = true;
  root.parent = 1;
  nodes_[1] = root;
  masterinfo = "master=127.0.0.1:9421 session=7 version=0.1.0 root_inode=1\n";
}

uint32_t FakeTree::AddDir(uint32_t parent, const std::string& name) {
  uint32_t inode = NewInode();
  FakeNode n;
  n.dir = true;
  nodes_[inode] = n;
  Link(parent, name, inode);
  return inode;
}

uint32_t FakeTree::AddFile(uint32_t parent, const std::string& name, uint64_t length,
                           const std::vector<ChunkInfo>& chunks) {
  uint32_t inode = NewInode();
  FakeNode n;
  n.length = length;
  for (uint32_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].chunk_id != 0 || chunks[i].version != 0) n.chunks[i] = chunks[i];
  }
  nodes_[inode] = n;
  Link(parent, name, inode);
  return inode;
}

void FakeTree::Link(uint32_t parent, const std::string& name, uint32_t inode) {
  FakeNode& n = nodes_.at(inode);
  n.parent = parent;
  n.name = name;
  const FakeNode& p = nodes_.at(parent);
  n.goal = p.goal;  // inherited at creation, as on the master
  n.trashtime = p.trashtime;
  nodes_.at(parent).children[name] = inode;
}

uint32_t FakeTree::CopyTree(uint32_t src, uint32_t parent, const std::string& name) {
  FakeNode copy = nodes_.at(src);
  copy.children.clear();
  uint32_t inode = NewInode();
  nodes_[inode] = copy;
  nodes_.at(inode).parent = parent;
  nodes_.at(inode).name = name;
  nodes_.at(parent).children[name] = inode;
  for (const auto& [child_name, child] : nodes_.at(src).children) {
    CopyTree(child, inode, child_name);
  }
  return inode;
}

void FakeTree::Remove(uint32_t inode) {
  FakeNode n = nodes_.at(inode);
  for (const auto& [name, child] : n.children)
    Remove(child);
  nodes_.at(n.parent).children.erase(n.name);
  nodes_.erase(inode);
}

std::string FakeTree::Normalize(const std::string& path) const {
  std::string abs = !path.empty() && path[0] == '/' ? path : cwd_ + "/" + path;
  std::vector<std::string> out;
  for (const std::string& part : Split(abs)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  std::string joined;
  for (const std::string& part : out)
    joined += "/" + part;
  return joined.empty() ? "/" : joined;
}

std::optional<uint32_t> FakeTree::Find(const std::string& path) const {
  std::string abs = Normalize(path);
  if (abs != mount_point_ && abs.rfind(mount_point_ + "/", 0) != 0) return std::nullopt;
  uint32_t inode = 1;
  for (const std::string& part : Split(abs.substr(mount_point_.size()))) {
    const FakeNode& n = nodes_.at(inode);
    auto it = n.children.find(part);
    if (it == n.children.end()) return std::nullopt;
    inode = it->second;
  }
  return inode;
}

Result<NodeStat> FakeProbe::Stat(const std::string& path, bool /*follow*/) {
  std::string abs = tree_.Normalize(path);
  if (auto inode = tree_.Find(abs)) {
    const FakeNode& n = tree_.node(*inode);
    uint32_t mode = n.dir ? (S_IFDIR | 0755) : (S_IFREG | 0644);
    return NodeStat{FakeTree::kMountDev, *inode, mode, n.length};
  }
  if (abs == tree_.mount_point_ + "/" + std::string(kMasterInfoName) && !tree_.masterinfo.empty()) {
    return NodeStat{FakeTree::kMountDev, 0x7FFFFFF0, S_IFREG | 0444, tree_.masterinfo.size()};
  }
  // The local disk: every ancestor of the mount point, and the files a test added.
  const std::string as_dir = abs == "/" ? "/" : abs + "/";
  bool local_dir = tree_.mount_point_.rfind(as_dir, 0) == 0;
  for (const std::string& f : tree_.local_files_)
    local_dir = local_dir || f.rfind(as_dir, 0) == 0;
  if (local_dir) return NodeStat{FakeTree::kLocalDev, 2, S_IFDIR | 0755, 0};
  if (tree_.local_files_.contains(abs)) return NodeStat{FakeTree::kLocalDev, 77, S_IFREG | 0644, 0};
  return NoEnt();
}

Result<std::string> FakeProbe::Canonical(const std::string& path) {
  auto st = Stat(path, true);
  if (!st.ok()) return st.status();
  return tree_.Normalize(path);
}

Result<std::string> FakeProbe::ReadSmallFile(const std::string& path) {
  std::string abs = tree_.Normalize(path);
  if (abs == tree_.mount_point_ + "/" + std::string(kMasterInfoName) && !tree_.masterinfo.empty()) {
    return tree_.masterinfo;
  }
  return NoEnt();
}

Status FakeProbe::CreateFile(const std::string& path) {
  auto parent = tree_.Find(DirName(tree_.Normalize(path)));
  if (!parent) return NoEnt();
  if (!tree_.Find(path)) tree_.AddFile(*parent, BaseName(path));
  return Status::Ok();
}

std::vector<uint32_t> FakeBackend::Subtree(uint32_t inode, bool recursive) const {
  std::vector<uint32_t> out{inode};
  for (size_t i = 0; recursive && i < out.size(); ++i) {
    for (const auto& [name, child] : tree_.node(out[i]).children)
      out.push_back(child);
  }
  return out;
}

template <typename Field>
Result<SetCounts> FakeBackend::SetField(uint32_t inode, uint32_t uid, Field field, uint32_t value,
                                        SetMode mode, bool recursive) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  // As the master: one node that is not the caller's is refused, a tree counts it as denied.
  if (!recursive && uid != 0 && uid != tree_.node(inode).uid) return Status(Code::kPerm);
  if (recursive) std::this_thread::sleep_for(tree_.walk_time);
  SetCounts counts;
  for (uint32_t i : Subtree(inode, recursive)) {
    FakeNode& n = tree_.node(i);
    uint32_t current = n.*field;
    bool change = mode == SetMode::kSet        ? value != current
                  : mode == SetMode::kIncrease ? value > current
                                               : value < current;
    if (uid != 0 && uid != n.uid) {
      ++counts.not_permitted;
    } else if (change) {
      n.*field = static_cast<std::remove_reference_t<decltype(n.*field)>>(value);
      ++counts.changed;
    } else {
      ++counts.not_changed;
    }
  }
  return counts;
}

template <typename Field>
Result<ValueStats> FakeBackend::CountField(uint32_t inode, Field field) const {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  std::this_thread::sleep_for(tree_.walk_time);
  ValueStats stats;
  for (uint32_t i : Subtree(inode, true)) {
    const FakeNode& n = tree_.node(i);
    AddCount(n.dir ? stats.dirs : stats.files, n.*field);
  }
  auto by_value = [](const ValueCount& a, const ValueCount& b) { return a.value < b.value; };
  std::sort(stats.files.begin(), stats.files.end(), by_value);
  std::sort(stats.dirs.begin(), stats.dirs.end(), by_value);
  return stats;
}

Result<uint8_t> FakeBackend::GetGoal(uint32_t inode) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  return tree_.node(inode).goal;
}

Result<ValueStats> FakeBackend::GetGoalRecursive(uint32_t inode) {
  return CountField(inode, &FakeNode::goal);
}

Result<SetCounts> FakeBackend::SetGoal(uint32_t inode, uint32_t uid, uint8_t goal, SetMode mode,
                                       bool recursive) {
  return SetField(inode, uid, &FakeNode::goal, goal, mode, recursive);
}

Result<uint32_t> FakeBackend::GetTrashTime(uint32_t inode) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  return tree_.node(inode).trashtime;
}

Result<ValueStats> FakeBackend::GetTrashTimeRecursive(uint32_t inode) {
  return CountField(inode, &FakeNode::trashtime);
}

Result<SetCounts> FakeBackend::SetTrashTime(uint32_t inode, uint32_t uid, uint32_t seconds,
                                            SetMode mode, bool recursive) {
  return SetField(inode, uid, &FakeNode::trashtime, seconds, mode, recursive);
}

Result<ChunkPage> FakeBackend::FileChunks(uint32_t inode, uint32_t from) {
  ++tree_.chunk_requests;
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  const FakeNode& n = tree_.node(inode);
  if (n.dir) return Status(Code::kPerm);
  ChunkPage page;
  page.file_length = n.length;
  for (auto it = n.chunks.lower_bound(from); it != n.chunks.end(); ++it) {
    if (page.chunks.size() == tree_.chunk_page) {
      page.next = it->first;
      break;
    }
    page.chunks.push_back({it->first, it->second});
  }
  return page;
}

std::vector<std::string> FakeTree::PathsOf(uint32_t inode) const {
  if (inode == 1) return {"/"};
  std::vector<std::string> paths;
  for (const auto& [dir, n] : nodes_) {
    for (const auto& [name, child] : n.children) {
      if (child != inode) continue;
      std::string path = name;
      for (uint32_t up = dir; up != 1; up = nodes_.at(up).parent)
        path = nodes_.at(up).name + "/" + path;
      paths.push_back(path);
    }
  }
  return paths;
}

Result<std::vector<std::string>> FakeBackend::Paths(uint32_t inode) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  return tree_.PathsOf(inode);
}

Result<DirStats> FakeBackend::DirInfo(uint32_t inode) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  std::this_thread::sleep_for(tree_.walk_time);
  if (tree_.node(inode).dir_stats) return *tree_.node(inode).dir_stats;
  DirStats s;
  for (uint32_t i : Subtree(inode, true)) {
    const FakeNode& n = tree_.node(i);
    ++s.inodes;
    ++(n.dir ? s.dirs : s.files);
    if (n.dir) continue;
    uint64_t size = 0;
    for (const auto& [index, chunk] : n.chunks) {
      if (chunk.chunk_id == 0) continue;  // a hole
      ++s.chunks;
      size += ChunkStoredBytes(n.length, index);
    }
    s.length += n.length;
    s.size += size;
    s.realsize += size * n.goal;
  }
  return s;
}

Status FakeBackend::MakeSnapshot(uint32_t src_inode, uint32_t dst_parent_inode,
                                 const std::string& dst_name, const Credentials&,
                                 const SnapshotOptions& options) {
  if (!tree_.has(src_inode) || !tree_.has(dst_parent_inode)) return Status(Code::kNoEnt);
  std::this_thread::sleep_for(tree_.walk_time);
  auto& siblings = tree_.node(dst_parent_inode).children;
  if (auto it = siblings.find(dst_name); it != siblings.end()) {
    if (!options.overwrite) return Status(Code::kExist);
    tree_.Remove(it->second);
  }
  tree_.CopyTree(src_inode, dst_parent_inode, dst_name);
  return Status::Ok();
}

Status FakeBackend::AppendChunks(uint32_t dst_inode, uint32_t src_inode, const Credentials&) {
  if (!tree_.has(src_inode) || !tree_.has(dst_inode)) return Status(Code::kNoEnt);
  FakeNode& dst = tree_.node(dst_inode);
  const FakeNode& src = tree_.node(src_inode);
  const uint32_t slots = dst.chunks.empty() ? 0 : dst.chunks.rbegin()->first + 1;
  dst.length = slots * kChunkSize + src.length;
  for (const auto& [index, chunk] : src.chunks)
    dst.chunks[slots + index] = chunk;
  return Status::Ok();
}

BackendFactory FakeFactory(FakeTree& tree) {
  return [&tree](const MasterInfo&) -> Result<std::unique_ptr<ToolBackend>> {
    ++tree.backends_opened;
    return std::unique_ptr<ToolBackend>(std::make_unique<FakeBackend>(tree));
  };
}

void BuildToolsDemo(FakeTree& tree) {
  constexpr uint32_t kAny = 0;  // 0.0.0.0: MooseFS's test cluster remaps 127.0.0.1
  auto chunk = [](uint64_t id, uint16_t port_a, uint16_t port_b) {
    return ChunkInfo{id, 1, {{kAny, port_a, CopyState::kValid}, {kAny, port_b, CopyState::kValid}}};
  };
  uint32_t demo = tree.AddDir(1, "tools_demo");
  uint32_t sub = tree.AddDir(demo, "sub");
  // Stored out of order: the tool sorts copies by address.
  tree.AddFile(sub, "data.bin", 150000000,
               {chunk(390, 9442, 9432), chunk(391, 9422, 9432), chunk(392, 9422, 9442)});
  uint32_t deeper = tree.AddDir(sub, "deeper");
  tree.AddFile(deeper, "small.txt", 6, {chunk(393, 9432, 9442)});
  tree.AddFile(demo, "other.bin", 70000000, {chunk(394, 9422, 9432), chunk(395, 9422, 9442)});
  // No fixed dir_stats: DirInfo computes MooseFS's figures (6 inodes, 220184576 bytes of
  // size) from this tree, and the transcript checks them.
}

ToolHarness::ToolHarness() {
  BuildToolsDemo(tree);
}

RunResult ToolHarness::Run(std::vector<std::string> argv) {
  std::ostringstream out;
  std::ostringstream err;
  ToolEnv env{out, err, probe_, FakeFactory(tree), creds, hrformat, progress_fd, progress};
  RunResult r;
  r.rc = MultiCallMain(env, argv);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace elk::tools::testing
