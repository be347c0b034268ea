#pragma once
// Test only: the repair_demo tree of testdata/fileinfo_repair_session.txt on the fake
// cluster, and the recording's shell helpers (stopcs, startcs, write, append) applied to it.
// The fake chunkservers get the CRCs MooseFS's chunkservers computed (zlib's CRC-32 of each
// 64 KiB block, zero-padded), so the digests and signatures printed can be compared with
// the recording; ElkFS's chunkservers keep CRC-32C (docs/tools.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_limits.h"
#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {

inline uint32_t MooseFsCrc32(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data)
    crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// The CRCs of chunk `index` of `content`: one per 64 KiB block it holds.
inline std::vector<uint32_t> ChunkCrcs(const std::string& content, uint32_t index) {
  std::vector<uint32_t> crcs;
  const uint64_t end = std::min<uint64_t>(content.size(), (uint64_t{index} + 1) * kChunkSize);
  for (uint64_t at = uint64_t{index} * kChunkSize; at < end; at += kBlockSize) {
    std::string block = content.substr(at, kBlockSize);
    block.resize(kBlockSize, '\0');
    crcs.push_back(MooseFsCrc32(block));
  }
  return crcs;
}

// `bytes` bytes of "word\n" repeated, as `yes word | head -c bytes` writes them.
inline std::string Pattern(const std::string& word, uint64_t bytes) {
  std::string out;
  out.reserve(bytes + word.size() + 1);
  while (out.size() < bytes)
    out += word + "\n";
  out.resize(bytes);
  return out;
}

struct RepairDemo {
  static constexpr uint32_t kAny = 0;  // 0.0.0.0: MooseFS's test cluster remaps 127.0.0.1

  RepairDemo() {
    dir = h.tree.AddDir(1, "repair_demo");
    AddFile("data.bin", Pattern("elkfs", 70000000), 2, {{31422, 31442}, {31432, 31442}});
    AddFile("lost.bin", Pattern("lost", 1000000), 1, {{31422}});
  }

  // A file whose chunk i is on the servers of ports[i], all at version 1.
  void AddFile(const std::string& name, std::string content, uint8_t goal,
               const std::vector<std::vector<uint16_t>>& ports) {
    std::vector<ChunkInfo> chunks;
    for (uint32_t i = 0; i < ports.size(); ++i) {
      ChunkInfo c{next_chunk++, 1, {}};
      const std::vector<uint32_t> crcs = ChunkCrcs(content, i);
      for (uint16_t port : ports[i]) {
        c.copies.push_back({kAny, port, CopyState::kValid});
        h.tree.stored[{{kAny, port}, c.chunk_id}] = StoredCopy{1, crcs};
      }
      chunks.push_back(c);
    }
    uint32_t inode = h.tree.AddFile(dir, name, content.size(), chunks);
    h.tree.node(inode).goal = goal;
    contents["repair_demo/" + name] = std::move(content);
  }

  void Apply(const std::vector<std::string>& argv) {
    ++events;
    const std::string& what = argv.at(0);
    if (what == "stopcs") return h.tree.StopServer(Server(argv.at(1)));
    if (what == "startcs") return h.tree.StartServer(Server(argv.at(1)));
    const std::string data = Pattern(argv.at(3), std::stoull(argv.at(2)));
    if (what == "write") return Write(argv.at(1), data);
    if (what == "append") return Append(argv.at(1), data);
    ADD_FAILURE() << "unknown step " << what;
  }

  // A new goal-2 file of one chunk on the first two running servers.
  void Write(const std::string& path, const std::string& data) {
    std::vector<uint16_t> ports;
    for (uint16_t port : {31422, 31432, 31442}) {
      if (!h.tree.stopped.contains({kAny, port}) && ports.size() < 2) ports.push_back(port);
    }
    AddFile(path.substr(path.find('/') + 1), data, 2, {ports});
  }

  // Grows a one-chunk file: the chunk's version moves on the copies the master sees.
  void Append(const std::string& path, const std::string& data) {
    std::string& content = contents.at(path);
    content += data;
    auto inode = h.tree.Find(path);
    ASSERT_TRUE(inode);
    FakeNode& n = h.tree.node(*inode);
    n.length = content.size();
    ChunkInfo& chunk = n.chunks.at(0);
    ++chunk.version;
    for (const ChunkCopy& c : chunk.copies)
      h.tree.stored[{{c.ip, c.port}, chunk.chunk_id}] =
          StoredCopy{chunk.version, ChunkCrcs(content, 0)};
  }

  static ServerKey Server(const std::string& port) {
    return {kAny, static_cast<uint16_t>(std::stoul(port))};
  }

  ToolHarness h;
  uint32_t dir = 0;
  uint64_t next_chunk = 1;
  int events = 0;
  std::map<std::string, std::string> contents;
};

}  // namespace elk::tools::testing
