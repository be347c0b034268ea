#include "chunkserver/server/disk_set.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <filesystem>

#include "chunkserver/server/chunk_ops.h"
#include "chunkserver/server/io_pool.h"
#include "chunkserver/storage/fault_disk_io.h"
#include "chunkserver/storage/test_dir.h"
#include "common/crc/crc32c.h"
#include "common/net/loop_thread.h"
#include "common/protocol/cstocl.h"

namespace elk::chunkserver {
namespace {

using chunkstore::DiskSpace;
using chunkstore::FaultDiskIo;
using chunkstore::TestDir;

cfg::HddEntry Entry(const std::string& path, bool removal = false) {
  cfg::HddEntry e;
  e.path = path;
  e.marked_for_removal = removal;
  return e;
}

class DiskSetTest : public ::testing::Test {
 protected:
  std::unique_ptr<chunkstore::DiskIo> posix_ = chunkstore::NewPosixDiskIo();
  FaultDiskIo io_{*posix_};
  TestDir a_, b_, c_;
};

TEST_F(DiskSetTest, MoveOutDiskTakesNoNewChunksAndALimitedDiskReportsItsLimit) {
  auto hdd = cfg::ParseHddFile(fmt::format("<{}\n{} 64MiB\n", a_.path(), b_.path()), "mfshdd.cfg");
  ASSERT_TRUE(hdd.ok());
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply(*hdd, true).ok());
  for (uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(CreateChunk(set, {id, 1}).ok());
    auto where = set.Locate(id);
    ASSERT_TRUE(where);
    EXPECT_EQ(where->path, b_.path());  // never the '<' disk
  }
  bool limited_seen = false;
  for (const auto& d : set.Disks()) {
    auto space = d->store->Space();
    ASSERT_TRUE(space.ok());
    if (d->path == b_.path()) {
      EXPECT_EQ(space->total, 64u << 20);
      limited_seen = true;
    }
  }
  EXPECT_TRUE(limited_seen);
  EXPECT_LE(set.Space().total, (64u << 20) + set.Disks()[0]->store->Space()->total);
}

TEST_F(DiskSetTest, PicksTheDiskWithMostUsableSpaceSkippingMarkedOnes) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path(), true)}, true).ok());
  EXPECT_EQ(set.size(), 2u);
  auto pick = set.PickForNew();
  ASSERT_TRUE(pick);
  EXPECT_EQ(pick->path, a_.path());  // b is marked for removal

  ASSERT_TRUE(CreateChunk(set, {0x10, 1}).ok());
  auto where = set.Locate(0x10);
  ASSERT_TRUE(where);
  EXPECT_EQ(where->path, a_.path());
  EXPECT_EQ(CreateChunk(set, {0x10, 1}).code(), Code::kChunkExists);
  EXPECT_FALSE(set.Locate(0x11));

  // Unmark b by reload, add c: the pick follows free space, all share one file system here,
  // so only check that marks apply and the new disk is there.
  ASSERT_TRUE(set.Apply({Entry(a_.path(), true), Entry(b_.path()), Entry(c_.path())}, true).ok());
  EXPECT_EQ(set.size(), 3u);
  pick = set.PickForNew();
  ASSERT_TRUE(pick);
  EXPECT_NE(pick->path, a_.path());
  SpaceSummary space = set.Space();
  EXPECT_EQ(space.removal_chunks, 1u);
  EXPECT_EQ(space.chunks, 0u);
  EXPECT_GT(space.total, 0u);
  EXPECT_EQ(set.Chunks().size(), 1u);
}

TEST_F(DiskSetTest, DroppedDiskReportsItsChunksLost) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path())}, true).ok());
  ASSERT_TRUE(CreateChunk(set, {7, 1}).ok());
  ASSERT_TRUE(CreateChunk(set, {8, 1}).ok());
  EXPECT_TRUE(set.TakeLost().empty());
  ASSERT_TRUE(set.Apply({Entry(b_.path())}, true).ok());
  auto lost = set.TakeLost();
  std::sort(lost.begin(), lost.end());
  EXPECT_EQ(lost, (std::vector<uint64_t>{7, 8}));
  EXPECT_TRUE(set.TakeLost().empty());
}

TEST_F(DiskSetTest, DamagedDiskReportsLostOnceAndIsNotPicked) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path())}, true).ok());
  // Put a chunk on each disk by marking the other.
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path(), true)}, true).ok());
  ASSERT_TRUE(CreateChunk(set, {1, 1}).ok());
  ASSERT_TRUE(set.Apply({Entry(a_.path(), true), Entry(b_.path())}, true).ok());
  ASSERT_TRUE(CreateChunk(set, {2, 1}).ok());
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path())}, true).ok());
  ASSERT_TRUE(CloseChunk(set, 1, true).ok());
  io_.Inject({.op = chunkstore::FaultOp::kOpen, .error = EIO, .path_contains = a_.path()});
  std::vector<uint8_t> out(100);
  for (int i = 0; i < 5; ++i)
    (void)set.Locate(1)->store->Read({1, 1}, 0, out);
  EXPECT_TRUE(set.Locate(1)->store->damaged());
  EXPECT_EQ(set.TakeLost(), (std::vector<uint64_t>{1}));
  EXPECT_TRUE(set.TakeLost().empty());
  EXPECT_EQ(set.PickForNew()->path, b_.path());
  EXPECT_EQ(set.Chunks().size(), 1u);
}

// Each disk counts the chunk data read from and written to it, for the master's charts.
TEST_F(DiskSetTest, CountsBytesReadAndWrittenPerDisk) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path())}, true).ok());
  ASSERT_TRUE(CreateChunk(set, {0x10, 1}).ok());
  const std::string holder = set.Locate(0x10)->path;
  std::vector<uint8_t> data(30000, 0x5a);
  ASSERT_TRUE(WriteChunkData(set, {0x10, 1}, 0, 0, crc::Crc32c(data), data).ok());
  ASSERT_TRUE(WriteChunkData(set, {0x10, 1}, 1, 0, crc::Crc32c(data), data).ok());
  // A write refused (past the chunk's last block) moves nothing.
  EXPECT_FALSE(
      WriteChunkData(set, {0x10, 1}, elk::kBlocksPerChunk, 0, crc::Crc32c(data), data).ok());
  std::vector<std::vector<uint8_t>> frames;
  ASSERT_TRUE(ReadPieces<protocol::CstoclReadData>(set, {0x10, 1}, 10, 1000, frames).ok());
  for (const protocol::DiskReport& r : set.Reports(std::nullopt)) {
    if (r.path == holder) {
      EXPECT_EQ(r.bytes_written, 2 * data.size());
      EXPECT_EQ(r.bytes_read, 1000u);
    } else {
      EXPECT_EQ(r.bytes_written, 0u);
      EXPECT_EQ(r.bytes_read, 0u);
    }
  }
}

// What the master's monitor is told (CSTOMA_DISKS): each disk's path, state, chunks, space,
// errors and how far the scrub has come on it.
TEST_F(DiskSetTest, ReportsEachDiskForTheMonitor) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path(), true)}, true).ok());
  for (uint64_t id : {0x10, 0x20, 0x30, 0x40})
    ASSERT_TRUE(CreateChunk(set, {id, 1}).ok());
  ASSERT_TRUE(CloseChunk(set, 0x10, true).ok());

  auto reports = set.Reports(uint64_t{0x25});  // the scrub tests 0x25 next
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].path, a_.path());
  EXPECT_EQ(reports[0].state, protocol::DiskState::kOk);
  EXPECT_EQ(reports[0].chunk_count, 4u);
  EXPECT_GT(reports[0].total_space, 0u);
  EXPECT_GT(reports[0].used_space, 0u);
  EXPECT_TRUE(reports[0].scrub_on);
  EXPECT_EQ(reports[0].scrub_done, 2u);  // 0x10 and 0x20
  EXPECT_EQ(reports[0].scrub_total, 4u);
  EXPECT_EQ(reports[0].errors, 0u);
  EXPECT_EQ(reports[0].last_error, "");
  EXPECT_EQ(reports[1].path, b_.path());
  EXPECT_EQ(reports[1].state, protocol::DiskState::kMarkedForRemoval);
  EXPECT_EQ(reports[1].chunk_count, 0u);
  EXPECT_FALSE(set.Reports(std::nullopt)[0].scrub_on);

  // A disk given up after I/O errors: damaged, with its last error and when.
  io_.Inject({.op = chunkstore::FaultOp::kOpen, .error = EIO, .path_contains = a_.path()});
  std::vector<uint8_t> out(100);
  const auto before = static_cast<uint32_t>(std::time(nullptr));
  for (int i = 0; i < 5; ++i)
    (void)set.Locate(0x10)->store->Read({0x10, 1}, 0, out);
  reports = set.Reports(std::nullopt);
  EXPECT_EQ(reports[0].state, protocol::DiskState::kDamaged);
  EXPECT_GE(reports[0].errors, 3u);
  EXPECT_NE(reports[0].last_error.find(a_.path()), std::string::npos) << reports[0].last_error;
  EXPECT_LE(reports[0].last_error.size(), chunkstore::DiskErrorNote::kMaxErrorText);
  EXPECT_GE(reports[0].last_error_time, before);
  EXPECT_EQ(reports[0].total_space, 0u);  // not measured on a damaged disk
}

TEST_F(DiskSetTest, ReadOnlyDiskIsReportedAndNotPicked) {
  DiskSet set(io_, 0);
  ASSERT_TRUE(set.Apply({Entry(a_.path()), Entry(b_.path())}, true).ok());
  io_.FakeSpace(DiskSpace{.total = 1ull << 40, .available = 1ull << 39, .read_only = true});
  auto reports = set.Reports(std::nullopt);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].state, protocol::DiskState::kReadOnly);
  EXPECT_EQ(reports[0].total_space, 1ull << 40);
  EXPECT_EQ(reports[0].used_space, 1ull << 39);
  EXPECT_FALSE(set.PickForNew());  // every disk read-only here
  io_.FakeSpace(std::nullopt);
  EXPECT_EQ(set.Reports(std::nullopt)[0].state, protocol::DiskState::kOk);
  EXPECT_TRUE(set.PickForNew());
}

TEST_F(DiskSetTest, NoUsableDiskIsRefused) {
  DiskSet set(io_, 0);
  EXPECT_FALSE(set.Apply({}, true).ok());
  EXPECT_TRUE(set.Apply({}, false).ok());
  EXPECT_FALSE(set.PickForNew());
}

TEST(IoPoolTest, SameKeyRunsInOrderAndResultsComeBackOnTheLoop) {
  net::LoopThread loop;
  ASSERT_TRUE(loop.Start().ok());
  auto owner = std::make_shared<int>(0);
  std::vector<int> order;  // touched on the loop thread only
  std::atomic<int> done{0};
  {
    IoPool pool(4);
    for (int i = 0; i < 200; ++i) {
      pool.Run(
          loop.loop(), owner, 42, [i] { return i; },
          [&, i](int v) {
            EXPECT_TRUE(loop.loop().InLoopThread());
            EXPECT_EQ(v, i);
            order.push_back(v);
            ++done;
          });
    }
    while (done.load() < 200)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  loop.Call([&] {
    for (int i = 0; i < 200; ++i)
      EXPECT_EQ(order[static_cast<size_t>(i)], i);
  });
}

TEST(IoPoolTest, ResultIsDroppedWhenTheOwnerIsGone) {
  net::LoopThread loop;
  ASSERT_TRUE(loop.Start().ok());
  IoPool pool(1);
  auto owner = std::make_shared<int>(0);
  std::atomic<bool> ran{false}, called{false};
  std::weak_ptr<void> weak = owner;
  owner.reset();
  pool.Run(
      loop.loop(), weak, 1,
      [&] {
        ran = true;
        return 0;
      },
      [&](int) { called = true; });
  while (!ran.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.Call([] {});
  EXPECT_FALSE(called.load());
}

}  // namespace
}  // namespace elk::chunkserver
