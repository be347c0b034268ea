#pragma once
// Test double: a master's namespace held in memory, seen both through a fake mount
// (PathProbe: paths, stat, .masterinfo) and through the tools' backend (ToolBackend), so
// a tool run changes what the next run sees, as on a real cluster.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mount/tools/backend.h"
#include "mount/tools/path_probe.h"
#include "mount/tools/tool_env.h"

namespace elk::tools::testing {

struct FakeNode {
  uint32_t parent = 0;
  std::string name;
  bool dir = false;
  uint32_t uid = 0;
  uint8_t goal = 2;
  uint32_t trashtime = 86400;
  uint64_t length = 0;
  std::map<uint32_t, ChunkInfo> chunks;  // by index; holes are absent
  std::optional<DirStats> dir_stats;     // what DirInfo reports, when a test fixes it
  std::map<std::string, uint32_t> children;
};

// A fake chunkserver's copy of a chunk: its version and block CRCs (mfsfileinfo -c / -s,
// mfsfilerepair).
struct StoredCopy {
  uint32_t version = 1;
  std::vector<uint32_t> crcs;
};
using ServerKey = std::pair<uint32_t, uint16_t>;  // ip (host order), port

class FakeTree {
 public:
  static constexpr uint64_t kMountDev = 42;
  static constexpr uint64_t kLocalDev = 1;

  // The mount is at `mount_point` (its root is inode 1); relative paths start at `cwd`.
  explicit FakeTree(std::string mount_point = "/mnt/elk", std::string cwd = "/mnt/elk");

  uint32_t AddDir(uint32_t parent, const std::string& name);
  // `chunks` from index 0 on; a chunk with id 0 and version 0 is a hole.
  uint32_t AddFile(uint32_t parent, const std::string& name, uint64_t length = 0,
                   const std::vector<ChunkInfo>& chunks = {});
  // A file outside any ElkFS mount, on the local disk.
  void AddLocalFile(const std::string& abs_path) { local_files_.insert(abs_path); }

  // The inode at a path, if it is inside the mount.
  std::optional<uint32_t> Find(const std::string& path) const;
  FakeNode& node(uint32_t inode) { return nodes_.at(inode); }
  bool has(uint32_t inode) const { return nodes_.contains(inode); }

  // What each fake chunkserver holds, and which are stopped. The master's view is the
  // chunks' `copies`; StopServer / StartServer change both as a master would see it.
  std::map<std::pair<ServerKey, uint64_t>, StoredCopy> stored;
  std::set<ServerKey> stopped;
  void StopServer(ServerKey server);
  void StartServer(ServerKey server);

  std::string masterinfo;  // the mount root's .masterinfo; empty: no such file
  // How long the recursive requests (get/set -r, dirinfo, snapshot) take, as a master
  // walking a large tree would.
  std::chrono::milliseconds walk_time{0};
  int backends_opened = 0;  // how many times the factory ran
  size_t chunk_page = 2;    // most chunks one FileChunks answer holds, as the master's page
  int chunk_requests = 0;   // FileChunks calls so far
  std::string mount_point() const { return mount_point_; }

  // Absolute and without "." / ".." (the fake has no symlinks).
  std::string Normalize(const std::string& path) const;
  uint32_t NewInode() { return next_inode_++; }
  void Link(uint32_t parent, const std::string& name, uint32_t inode);
  uint32_t CopyTree(uint32_t src, uint32_t parent, const std::string& name);
  void Remove(uint32_t inode);
  // Every link's path from the mount root, as the master gives them ("dir/file", "/").
  std::vector<std::string> PathsOf(uint32_t inode) const;

 private:
  friend class FakeProbe;
  std::string mount_point_;
  std::string cwd_;
  std::map<uint32_t, FakeNode> nodes_;
  std::set<std::string> local_files_;
  uint32_t next_inode_ = 2;
};

class FakeProbe final : public PathProbe {
 public:
  explicit FakeProbe(FakeTree& tree) : tree_(tree) {}
  Result<NodeStat> Stat(const std::string& path, bool follow) override;
  Result<std::string> Canonical(const std::string& path) override;
  Result<std::string> ReadSmallFile(const std::string& path) override;
  Status CreateFile(const std::string& path) override;

 private:
  FakeTree& tree_;
};

class FakeBackend final : public ToolBackend {
 public:
  explicit FakeBackend(FakeTree& tree) : tree_(tree) {}
  Result<uint8_t> GetGoal(uint32_t inode) override;
  Result<ValueStats> GetGoalRecursive(uint32_t inode) override;
  Result<SetCounts> SetGoal(uint32_t inode, uint32_t uid, uint8_t goal, SetMode mode,
                            bool recursive) override;
  Result<uint32_t> GetTrashTime(uint32_t inode) override;
  Result<ValueStats> GetTrashTimeRecursive(uint32_t inode) override;
  Result<SetCounts> SetTrashTime(uint32_t inode, uint32_t uid, uint32_t seconds, SetMode mode,
                                 bool recursive) override;
  Result<ChunkPage> FileChunks(uint32_t inode, uint32_t from) override;
  Result<DirStats> DirInfo(uint32_t inode) override;
  Result<std::vector<std::string>> Paths(uint32_t inode) override;
  Result<RepairCounts> RepairFile(uint32_t inode, const Credentials& creds) override;
  Result<std::vector<uint32_t>> CopyChecksums(const ChunkCopy& copy, uint64_t chunk_id,
                                              uint32_t version) override;
  Status MakeSnapshot(uint32_t src_inode, uint32_t dst_parent_inode, const std::string& dst_name,
                      const Credentials& creds, const SnapshotOptions& options) override;
  Status AppendChunks(uint32_t dst_inode, uint32_t src_inode, const Credentials& creds) override;

 private:
  std::vector<uint32_t> Subtree(uint32_t inode, bool recursive) const;
  template <typename Field>
  Result<SetCounts> SetField(uint32_t inode, uint32_t uid, Field field, uint32_t value,
                             SetMode mode, bool recursive);
  template <typename Field>
  Result<ValueStats> CountField(uint32_t inode, Field field) const;

  FakeTree& tree_;
};

// The factory the tools get: a FakeBackend on `tree` for a .masterinfo it accepts.
BackendFactory FakeFactory(FakeTree& tree);

// The tools_demo tree of /work/shared/bench/moosefs-tool-output.txt, before its first
// command: goals 2, trashtimes 86400, data.bin's three chunks 390..392 at 9422/9432/9442.
void BuildToolsDemo(FakeTree& tree);

// Runs tools the way a shell would, against a fake cluster, and keeps what they print.
struct RunResult {
  int rc = -1;
  std::string out;
  std::string err;
};

class ToolHarness {
 public:
  // Starts with the tools_demo tree, cwd at the mount root.
  ToolHarness();
  // argv[0] is the tool's name, as through its symlink.
  RunResult Run(std::vector<std::string> argv);

  FakeTree tree;
  Credentials creds;  // root unless a test says otherwise
  std::optional<std::string> hrformat;
  int progress_fd = -1;  // as ToolEnv::progress_fd
  ProgressLineOptions progress;

 private:
  FakeProbe probe_{tree};
};

}  // namespace elk::tools::testing
