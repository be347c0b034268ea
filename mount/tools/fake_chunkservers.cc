// The fake cluster's chunkservers: the copies each holds (version, block CRCs), stopping and
// starting them as the master sees it, and what mfsfileinfo -c / -s and mfsfilerepair ask
// of them. A test double: the rules are the master's (master/chunks/registry_repair.cc) and
// the chunkserver's (CLTOCS_GET_CHECKSUMS), in a few lines.

#include <algorithm>

#include "common/file_limits.h"
#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {

void FakeTree::StopServer(ServerKey server) {
  stopped.insert(server);
  for (auto& [inode, n] : nodes_) {
    for (auto& [index, chunk] : n.chunks) {
      std::erase_if(chunk.copies, [&](const ChunkCopy& c) {
        return c.ip == server.first && c.port == server.second;
      });
    }
  }
}

// The master learns the server's copies again: current ones valid, others of a wrong version.
void FakeTree::StartServer(ServerKey server) {
  stopped.erase(server);
  for (auto& [inode, n] : nodes_) {
    for (auto& [index, chunk] : n.chunks) {
      auto it = stored.find({server, chunk.chunk_id});
      if (it == stored.end()) continue;
      const CopyState state =
          it->second.version == chunk.version ? CopyState::kValid : CopyState::kWrongVersion;
      chunk.copies.push_back({server.first, server.second, state});
    }
  }
}

Result<RepairCounts> FakeBackend::RepairFile(uint32_t inode, const Credentials& creds) {
  if (!tree_.has(inode)) return Status(Code::kNoEnt);
  FakeNode& n = tree_.node(inode);
  if (n.dir) return Status(Code::kPerm);
  if (creds.uid != 0 && creds.uid != n.uid) return Status(Code::kAccess);
  // The master counts its chunk list's slots; the fake's files never shrink theirs, so
  // the length (and any chunk past it) tells them.
  uint64_t slots = (n.length + kChunkSize - 1) / kChunkSize;
  if (!n.chunks.empty()) slots = std::max<uint64_t>(slots, n.chunks.rbegin()->first + 1);
  RepairCounts counts;
  for (auto it = n.chunks.begin(); it != n.chunks.end();) {
    ChunkInfo& chunk = it->second;
    const bool valid = std::any_of(chunk.copies.begin(), chunk.copies.end(),
                                   [](const ChunkCopy& c) { return c.state == CopyState::kValid; });
    if (valid) {
      ++it;
      continue;
    }
    uint32_t older = 0;
    for (const ChunkCopy& c : chunk.copies) {
      auto held = tree_.stored.find({{c.ip, c.port}, chunk.chunk_id});
      if (held != tree_.stored.end() && held->second.version < chunk.version)
        older = std::max(older, held->second.version);
    }
    if (older == 0) {
      it = n.chunks.erase(it);
      ++counts.erased;
      continue;
    }
    chunk.version = older;
    for (ChunkCopy& c : chunk.copies) {
      auto held = tree_.stored.find({{c.ip, c.port}, chunk.chunk_id});
      if (held != tree_.stored.end() && held->second.version == older) c.state = CopyState::kValid;
    }
    ++counts.repaired;
    ++it;
  }
  counts.not_changed = static_cast<uint32_t>(slots) - counts.erased - counts.repaired;
  return counts;
}

Result<std::vector<uint32_t>> FakeBackend::CopyChecksums(const ChunkCopy& copy, uint64_t chunk_id,
                                                         uint32_t version) {
  const ServerKey server{copy.ip, copy.port};
  if (tree_.stopped.contains(server)) return Status(Code::kCantConnect, "can't connect");
  auto it = tree_.stored.find({server, chunk_id});
  if (it == tree_.stored.end()) return Status(Code::kNoChunk);
  if (it->second.version != version) return Status(Code::kWrongVersion);
  return it->second.crcs;
}

}  // namespace elk::tools::testing
