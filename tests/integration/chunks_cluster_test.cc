// Data durability with the real programs: a master and three chunkservers on 127.0.0.1,
// files written and read through libelkclient, servers killed and disks damaged under them.
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

namespace fs = std::filesystem;
namespace proto = protocol;
using namespace std::chrono_literals;
using client::ChunkIo;
using client::MasterSession;

constexpr size_t kChunkHeaderBytes = 8192;  // docs/chunk-file.md: block data starts here

std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

// Polls `done` every 100 ms for at most `limit`.
bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

std::vector<fs::path> ChunkFiles(const std::string& disk) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(disk, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().filename().string().rfind("chunk_", 0) == 0)
      out.push_back(it->path());
  return out;
}

std::vector<uint8_t> ReadWhole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class ChunksCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Cluster::Start({.chunkservers = 3,
                             .master_cfg = {{"CHANGELOG_SYNC", "0"},
                                            {"REPLICATIONS_DELAY_INIT", "0"},
                                            {"REPLICATIONS_DELAY_DISCONNECT", "1"}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    auto s = MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    session_ = std::move(*s);
    io_ = std::make_unique<ChunkIo>(*session_);
    // Every chunkserver must have registered its space before a goal of 3 can be met.
    ASSERT_TRUE(WaitFor([&] { return ServersWithSpace() == 3; }, 20s)) << ServersWithSpace();
  }
  void TearDown() override {
    io_.reset();
    session_.reset();
    cluster_.reset();
  }

  int ServersWithSpace() {
    auto st = session_->Statfs();
    if (!st.ok()) return -1;
    struct statvfs sv {};
    if (::statvfs(cluster_->chunkserver_disk(0).c_str(), &sv) != 0) return -1;
    const double one = static_cast<double>(sv.f_blocks) * static_cast<double>(sv.f_frsize);
    return static_cast<int>(static_cast<double>(st->total_space) / one + 0.5);
  }
  uint32_t NewFile(const std::string& name, uint8_t goal) {
    // Open for the session (read and write), as the mount creates: the master serves
    // chunks only of files a session holds open.
    auto a = session_->Create(1, name, 0644, 022, {}, /*open=*/true);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok()) return 0;
    auto g = session_->Call<proto::MatoclSetgoal>(
        proto::CltomaSetgoal{0, a->inode, goal, proto::SetMode::kSet, false, {}});
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    auto t = session_->Call<proto::MatoclSettrashtime>(
        proto::CltomaSettrashtime{0, a->inode, 0, proto::SetMode::kSet, false, {}});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return a->inode;
  }
  proto::MatoclChunkInfo Chunk(uint32_t inode, uint32_t index) {
    auto r = session_->Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, inode, index});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : proto::MatoclChunkInfo{};
  }
  std::set<uint16_t> ValidServers(uint32_t inode, uint32_t index) {
    std::set<uint16_t> ports;
    for (const auto& c : Chunk(inode, index).copies)
      if (c.valid) ports.insert(c.server.port);
    return ports;
  }
  size_t AllChunkFiles() {
    size_t n = 0;
    for (int i = 0; i < 3; ++i)
      n += ChunkFiles(cluster_->chunkserver_disk(i)).size();
    return n;
  }
  std::vector<uint8_t> ReadBack(uint32_t inode, uint64_t offset, uint32_t size) {
    ChunkIo fresh(*session_);  // no cached locations
    auto r = fresh.Read(inode, offset, size);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<uint8_t>{};
  }

  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<MasterSession> session_;
  std::unique_ptr<ChunkIo> io_;
};

TEST_F(ChunksCluster, GoalThreeGivesThreeIdenticalCopiesOnThreeServers) {
  const uint32_t inode = NewFile("g3", 3);
  const auto data = Pattern(3 * 1024 * 1024 + 12345, 1);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  EXPECT_EQ(ValidServers(inode, 0).size(), 3u);
  std::vector<std::vector<uint8_t>> copies;
  for (int i = 0; i < 3; ++i) {
    auto files = ChunkFiles(cluster_->chunkserver_disk(i));
    ASSERT_EQ(files.size(), 1u) << "server " << i;
    copies.push_back(ReadWhole(files[0]));
  }
  ASSERT_GT(copies[0].size(), kChunkHeaderBytes + data.size() - 1);
  EXPECT_TRUE(copies[0] == copies[1]);
  EXPECT_TRUE(copies[0] == copies[2]);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), copies[0].begin() + kChunkHeaderBytes));
  EXPECT_TRUE(ReadBack(inode, 0, static_cast<uint32_t>(data.size())) == data);
}

TEST_F(ChunksCluster, KilledChunkserverDuringWritesLosesNoAcknowledgedByteAndGoalReturns) {
  const uint32_t inode = NewFile("stream", 2);
  constexpr size_t kPiece = 1 << 20;
  constexpr int kPieces = 80;  // 80 MiB: two chunks
  std::vector<uint8_t> expected;
  std::vector<bool> acked(kPieces, false);
  int killed = -1;
  for (int i = 0; i < kPieces; ++i) {
    if (i == 20) {  // a third into the first chunk: kill a server that holds a copy of it
      const auto holders = ValidServers(inode, 0);
      for (int k = 0; k < 3 && killed < 0; ++k)
        if (holders.count(cluster_->chunkserver_port(k))) killed = k;
      ASSERT_GE(killed, 0);
      cluster_->KillChunkserver(killed);
    }
    const auto piece = Pattern(kPiece, 100 + static_cast<uint32_t>(i));
    expected.insert(expected.end(), piece.begin(), piece.end());
    Status s = io_->Write(inode, uint64_t{kPiece} * static_cast<uint64_t>(i), piece);
    acked[static_cast<size_t>(i)] = s.ok();
  }
  // With two servers left, goal 2 can still be written: every piece must have been taken.
  for (int i = 0; i < kPieces; ++i)
    EXPECT_TRUE(acked[static_cast<size_t>(i)]) << "piece " << i;
  for (int i = 0; i < kPieces; i += 8) {
    auto back = ReadBack(inode, uint64_t{kPiece} * static_cast<uint64_t>(i), kPiece * 8);
    ASSERT_EQ(back.size(), kPiece * 8);
    EXPECT_TRUE(
        std::equal(back.begin(), back.end(),
                   expected.begin() + static_cast<ptrdiff_t>(kPiece * static_cast<size_t>(i))))
        << "pieces " << i << "..";
  }
  // Both chunks end with two valid copies, neither on the dead server.
  const uint16_t dead = cluster_->chunkserver_port(killed);
  for (uint32_t index : {0u, 1u}) {
    EXPECT_TRUE(WaitFor(
        [&] {
          auto v = ValidServers(inode, index);
          return v.size() == 2 && !v.count(dead);
        },
        60s))
        << "chunk " << index << " did not return to goal";
  }
}

TEST_F(ChunksCluster, CorruptedBlockIsServedFromAnotherCopyAndTheBadCopyReplaced) {
  const uint32_t inode = NewFile("rot", 2);
  const auto data = Pattern(1 << 20, 7);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  const auto before = ValidServers(inode, 0);
  ASSERT_EQ(before.size(), 2u);
  // Flip one byte of the first block on one of the two servers holding the chunk.
  int victim = -1;
  for (int i = 0; i < 3 && victim < 0; ++i)
    if (before.count(cluster_->chunkserver_port(i))) victim = i;
  ASSERT_GE(victim, 0);
  const fs::path file = ChunkFiles(cluster_->chunkserver_disk(victim)).at(0);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(kChunkHeaderBytes + 1000);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5A);
    f.seekp(kChunkHeaderBytes + 1000);
    f.write(&c, 1);
  }
  // Every read returns the right bytes, whichever copy it tries first.
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(ReadBack(inode, 0, 1 << 20) == data) << "read " << i;
  // The damaged copy is dropped and the chunk is brought back to two good copies.
  const uint16_t bad = cluster_->chunkserver_port(victim);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto v = ValidServers(inode, 0);
        return v.size() == 2 && !v.count(bad);
      },
      60s))
      << "the corrupted copy was not replaced";
  EXPECT_TRUE(ReadBack(inode, 0, 1 << 20) == data);
}

TEST_F(ChunksCluster, FullDisksRefuseNewChunksWithNoSpaceAndKeepExistingData) {
  const uint32_t old_file = NewFile("before-full", 2);
  const auto data = Pattern(2 << 20, 11);
  ASSERT_TRUE(io_->Write(old_file, 0, data).ok());
  // Restart every chunkserver with a reserve larger than its disk's free space.
  struct statvfs sv {};
  ASSERT_EQ(::statvfs(cluster_->chunkserver_disk(0).c_str(), &sv), 0);
  const uint64_t free_bytes = uint64_t{sv.f_bavail} * sv.f_frsize;
  for (int i = 0; i < 3; ++i) {
    cluster_->StopChunkserver(i);
    const fs::path cfg =
        fs::path(cluster_->dir()) / ("mfschunkserver" + std::to_string(i) + ".cfg");
    std::string text;
    for (std::ifstream in(cfg); in;) {
      std::string line;
      if (!std::getline(in, line)) break;
      if (line.rfind("HDD_LEAVE_SPACE_DEFAULT", 0) != 0) text += line + "\n";
    }
    text += "HDD_LEAVE_SPACE_DEFAULT = " + std::to_string(free_bytes + (uint64_t{1} << 30)) + "\n";
    std::ofstream(cfg) << text;
    ASSERT_TRUE(cluster_->StartChunkserver(i).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return ValidServers(old_file, 0).size() == 2; }, 20s));
  const uint32_t new_file = NewFile("after-full", 2);
  Status s = io_->Write(new_file, 0, Pattern(70000, 12));
  EXPECT_EQ(s.to_errno(), ENOSPC) << s.ToString();
  // The chunk made for the refused write is let go again: a hole, not a chunk with no copy.
  EXPECT_EQ(Chunk(new_file, 0).chunkid, 0u);
  EXPECT_TRUE(ReadBack(old_file, 0, 2 << 20) == data);
}

TEST_F(ChunksCluster, SnapshotThenWriteMakesExactlyOneDuplicateAndKeepsTheSnapshot) {
  const uint32_t inode = NewFile("source", 1);
  const auto data = Pattern(2 << 20, 21);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  ASSERT_EQ(AllChunkFiles(), 1u);
  ASSERT_TRUE(session_->Do(proto::CltomaSnapshot{0, inode, 1, "snap", false, {}}, false).ok());
  auto snap = session_->Lookup(1, "snap", {});
  ASSERT_TRUE(snap.ok());
  ASSERT_TRUE(session_->Open(snap->inode, proto::kOpenRead, {}).ok());
  EXPECT_EQ(Chunk(snap->inode, 0).chunkid, Chunk(inode, 0).chunkid);  // shared, not copied
  EXPECT_EQ(AllChunkFiles(), 1u);
  const auto patch = Pattern(4096, 22);
  ASSERT_TRUE(io_->Write(inode, 4096, patch).ok());
  EXPECT_NE(Chunk(snap->inode, 0).chunkid, Chunk(inode, 0).chunkid);
  EXPECT_EQ(AllChunkFiles(), 2u);  // exactly one duplicate
  EXPECT_TRUE(ReadBack(snap->inode, 0, 2 << 20) == data);
  auto changed = data;
  std::copy(patch.begin(), patch.end(), changed.begin() + 4096);
  EXPECT_TRUE(ReadBack(inode, 0, 2 << 20) == changed);
  // A second write to the source does not copy again.
  ASSERT_TRUE(io_->Write(inode, 8192, patch).ok());
  EXPECT_EQ(AllChunkFiles(), 2u);
}

TEST_F(ChunksCluster, DeletingFilesFreesTheirChunkFiles) {
  for (int i = 0; i < 3; ++i) {
    const uint32_t inode = NewFile("doomed" + std::to_string(i), 2);
    ASSERT_TRUE(io_->Write(inode, 0, Pattern(300000, 30 + static_cast<uint32_t>(i))).ok());
  }
  ASSERT_EQ(AllChunkFiles(), 6u);
  for (int i = 0; i < 3; ++i) {
    const std::string name = "doomed" + std::to_string(i);
    auto a = session_->Lookup(1, name, {});
    ASSERT_TRUE(a.ok());
    // Closed first: a file unlinked while open waits in reserved, its chunks kept.
    ASSERT_TRUE(session_->Release(a->inode).ok());
    ASSERT_TRUE(session_->Unlink(1, name, {}).ok());
  }
  EXPECT_TRUE(WaitFor([&] { return AllChunkFiles() == 0; }, 30s)) << AllChunkFiles() << " left";
}

TEST_F(ChunksCluster, DiskMarkedForRemovalHasItsChunksCopiedElsewhere) {
  const uint32_t inode = NewFile("moving", 2);
  const auto data = Pattern(1 << 20, 41);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  const auto holders = ValidServers(inode, 0);
  ASSERT_EQ(holders.size(), 2u);
  int leaving = -1, spare = -1;
  for (int i = 0; i < 3; ++i) {
    if (!holders.count(cluster_->chunkserver_port(i)))
      spare = i;
    else if (leaving < 0)
      leaving = i;
  }
  ASSERT_GE(leaving, 0);
  ASSERT_GE(spare, 0);
  // `*/path` in mfshdd.cfg: the disk is being emptied; its copies no longer count for goal.
  cluster_->StopChunkserver(leaving);
  const fs::path hdd = fs::path(cluster_->dir()) / ("mfshdd" + std::to_string(leaving) + ".cfg");
  std::ofstream(hdd) << "*" << cluster_->chunkserver_disk(leaving) << "\n";
  ASSERT_TRUE(cluster_->StartChunkserver(leaving).ok());
  EXPECT_TRUE(WaitFor(
      [&] { return ValidServers(inode, 0).count(cluster_->chunkserver_port(spare)) == 1; }, 60s))
      << "no copy was made on the server that had none";
  EXPECT_TRUE(ReadBack(inode, 0, 1 << 20) == data);
}

}  // namespace
}  // namespace elk::test
