#include "chunkserver/storage/chunk_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "chunkserver/storage/fault_disk_io.h"
#include "chunkserver/storage/test_dir.h"

namespace elk::chunkstore {
namespace {

constexpr uint64_t kMiB = 1 << 20;

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng() | 1);
  return v;
}

class ChunkStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChunkStore> OpenStore(uint64_t leave_space = 0) {
    auto s = ChunkStore::Open(io_, {.dir = dir_.path(), .leave_space = leave_space});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }
  void Touch(const std::string& rel) { std::ofstream(dir_.path() + "/" + rel) << "junk"; }

  TestDir dir_;
  std::unique_ptr<DiskIo> posix_ = NewPosixDiskIo();
  FaultDiskIo io_{*posix_};
};

TEST_F(ChunkStoreTest, ScanIndexesChunksSkipsJunkAndKeepsTheNewestOfTwoVersions) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Create({.id = 0x101, .version = 1}).ok());
    ASSERT_TRUE(store->Write({.id = 0x101, .version = 1}, 0, Random(1000, 1)).ok());
    ASSERT_TRUE(store->Create({.id = 0x2FF, .version = 5}).ok());
  }
  ASSERT_TRUE(ChunkFile::Create(io_, dir_.path(), {.id = 0x2FF, .version = 4}).ok());
  Touch("01/notes.txt");
  Touch("02/chunk_0000000000000101_00000001.mfs");  // right form, wrong subfolder
  Touch("FF/chunk_00000000000002ff_00000001.mfs");  // lower-case hex

  auto store = OpenStore();
  EXPECT_EQ(store->Chunks().size(), 2u);
  EXPECT_EQ(store->skipped_files(), 3u);
  auto c = store->Find(0x2FF);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->name.version, 5u);
  ASSERT_EQ(store->Superseded().size(), 1u);
  EXPECT_EQ(store->Superseded()[0].name.version, 4u);
  EXPECT_EQ(store->Find(0x101)->size, kBlockSize);
  std::vector<uint8_t> out(1000);
  EXPECT_TRUE(store->Read({.id = 0x101, .version = 1}, 0, out).ok());
  EXPECT_EQ(out, Random(1000, 1));
}

TEST_F(ChunkStoreTest, OperationsCheckIdAndVersion) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Create({.id = 7, .version = 2}).ok());
  std::vector<uint8_t> out(10);
  EXPECT_EQ(store->Read({.id = 7, .version = 3}, 0, out).code(), Code::kWrongVersion);
  EXPECT_EQ(store->Read({.id = 8, .version = 2}, 0, out).code(), Code::kNoChunk);
  EXPECT_EQ(store->Create({.id = 7, .version = 9}).code(), Code::kChunkExists);
}

TEST_F(ChunkStoreTest, SetVersionDuplicateAndDeleteKeepTheIndexRight) {
  auto store = OpenStore();
  const ChunkName a{.id = 1, .version = 1};
  const auto data = Random(2 * kBlockSize, 2);
  ASSERT_TRUE(store->Create(a).ok());
  ASSERT_TRUE(store->Write(a, 0, data).ok());
  ASSERT_TRUE(store->SetVersion(a, 2).ok());
  EXPECT_EQ(store->Find(1)->name.version, 2u);
  ASSERT_TRUE(store->Duplicate({.id = 1, .version = 2}, {.id = 9, .version = 1}).ok());
  ASSERT_TRUE(store->DuplicateTruncate({.id = 1, .version = 2}, {.id = 10, .version = 1}, 10).ok());
  std::vector<uint8_t> out(data.size());
  ASSERT_TRUE(store->Read({.id = 9, .version = 1}, 0, out).ok());
  EXPECT_EQ(out, data);
  EXPECT_EQ(store->Find(10)->size, kBlockSize);
  ASSERT_TRUE(store->Delete({.id = 1, .version = 2}).ok());
  EXPECT_FALSE(store->Find(1).has_value());
  EXPECT_FALSE(std::filesystem::exists(ChunkPath(dir_.path(), {.id = 1, .version = 2})));
  EXPECT_TRUE(store->Verify({.id = 9, .version = 1}).ok());
  EXPECT_EQ(store->Chunks().size(), 2u);
}

TEST_F(ChunkStoreTest, ReserveRefusesGrowthButKeepsDataIntact) {
  auto store = OpenStore(256 * kMiB);
  const ChunkName a{.id = 3, .version = 1};
  const auto data = Random(kBlockSize, 3);
  ASSERT_TRUE(store->Create(a).ok());
  ASSERT_TRUE(store->Write(a, 0, data).ok());

  io_.FakeSpace(DiskSpace{.total = 1024 * kMiB, .available = 256 * kMiB + kBlockSize / 2});
  auto space = store->Space();
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->usable, kBlockSize / 2);
  EXPECT_EQ(store->Write(a, kBlockSize, data).code(), Code::kNoSpace);
  EXPECT_TRUE(store->Create({.id = 4, .version = 1}).ok()) << "an 8 KiB header still fits";
  EXPECT_EQ(store->Duplicate(a, {.id = 5, .version = 1}).code(), Code::kNoSpace);
  // Overwriting what is there takes no space and is allowed.
  ASSERT_TRUE(store->Write(a, 10, std::span(data).first(100)).ok());

  std::vector<uint8_t> out(2 * kBlockSize);
  ASSERT_TRUE(store->Read(a, 0, out).ok());
  auto expect = data;
  std::copy_n(data.begin(), 100, expect.begin() + 10);
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), out.begin()));
  EXPECT_TRUE(std::all_of(out.begin() + kBlockSize, out.end(), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(store->Find(3)->size, kBlockSize);
  EXPECT_FALSE(store->damaged());
}

TEST_F(ChunkStoreTest, MaxUseLimitIsTheTotalAndRefusesChunksBeyondIt) {
  // A 1 TiB file system with 900 GiB free, limited to 4 blocks' worth of chunk files.
  io_.FakeSpace(DiskSpace{.total = 1024 * 1024 * kMiB, .available = 900 * 1024 * kMiB});
  const uint64_t limit = 2 * (kHeaderSize + 2 * kBlockSize);
  auto opened = ChunkStore::Open(io_, {.dir = dir_.path(), .leave_space = 0, .max_use = limit});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = *opened;
  auto space = store->Space();
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->total, limit);
  EXPECT_EQ(space->available, limit);
  EXPECT_EQ(space->usable, limit);

  for (uint64_t id : {1, 2}) {
    ASSERT_TRUE(store->Create({.id = id, .version = 1}).ok());
    ASSERT_TRUE(store->Write({.id = id, .version = 1}, 0, Random(2 * kBlockSize, 7)).ok());
  }
  space = store->Space();
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->total, limit);
  EXPECT_EQ(space->available, 0u);
  EXPECT_EQ(store->Create({.id = 3, .version = 1}).code(), Code::kNoSpace);
  EXPECT_EQ(store->Write({.id = 2, .version = 1}, 2 * kBlockSize, Random(10, 8)).code(),
            Code::kNoSpace);
  EXPECT_EQ(store->Duplicate({.id = 1, .version = 1}, {.id = 4, .version = 1}).code(),
            Code::kNoSpace);

  // Deleting a chunk frees its share of the limit; a reopened store counts what it finds.
  ASSERT_TRUE(store->Delete({.id = 2, .version = 1}).ok());
  EXPECT_EQ(store->Space()->available, kHeaderSize + 2 * kBlockSize);
  ASSERT_TRUE(store->Create({.id = 3, .version = 1}).ok());
  store.reset();
  auto again = ChunkStore::Open(io_, {.dir = dir_.path(), .leave_space = 0, .max_use = limit});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Space()->available, 2 * kBlockSize);
  EXPECT_TRUE((*again)->Write({.id = 3, .version = 1}, 0, Random(2 * kBlockSize, 9)).ok());
  EXPECT_EQ((*again)->Write({.id = 3, .version = 1}, 2 * kBlockSize, Random(1, 9)).code(),
            Code::kNoSpace);
}

TEST_F(ChunkStoreTest, DiskFullFromTheFileSystemIsNoSpaceAndHarmless) {
  auto store = OpenStore();
  const ChunkName a{.id = 3, .version = 1};
  const auto data = Random(kBlockSize, 4);
  ASSERT_TRUE(store->Create(a).ok());
  ASSERT_TRUE(store->Write(a, 0, data).ok());
  io_.Inject({.op = FaultOp::kWrite, .error = ENOSPC, .torn_bytes = 512});
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(store->Write(a, kBlockSize, data).code(), Code::kNoSpace);
  io_.Clear();
  EXPECT_FALSE(store->damaged());
  ASSERT_TRUE(store->Close(3).ok());
  std::vector<uint8_t> out(kBlockSize);
  ASSERT_TRUE(store->Read(a, 0, out).ok());
  EXPECT_EQ(out, data);
  EXPECT_TRUE(store->Verify(a).ok());
  EXPECT_EQ(std::filesystem::file_size(ChunkPath(dir_.path(), a)), kHeaderSize + kBlockSize);
}

TEST_F(ChunkStoreTest, IoErrorsPastTheThresholdMarkTheDiskDamaged) {
  auto store = OpenStore();
  const ChunkName a{.id = 1, .version = 1}, b{.id = 2, .version = 1};
  ASSERT_TRUE(store->Create(a).ok());
  ASSERT_TRUE(store->Create(b).ok());
  ASSERT_TRUE(store->Write(a, 0, Random(kBlockSize, 5)).ok());
  EXPECT_TRUE(store->LostChunks().empty());

  io_.Inject({.op = FaultOp::kRead, .error = EIO, .times = 3});
  std::vector<uint8_t> out(100);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(store->Read(a, 0, out).code(), Code::kIo);
  EXPECT_FALSE(store->damaged());
  EXPECT_EQ(store->Read(a, 0, out).code(), Code::kIo);
  EXPECT_TRUE(store->damaged());
  // The fault is spent, yet the disk stays given up: nothing more is served from it.
  EXPECT_EQ(store->Read(b, 0, out).code(), Code::kIo);
  EXPECT_EQ(store->Create({.id = 3, .version = 1}).code(), Code::kIo);
  EXPECT_EQ(store->LostChunks().size(), 2u);
}

TEST_F(ChunkStoreTest, CrcErrorsDoNotDamageTheDisk) {
  auto store = OpenStore();
  const ChunkName a{.id = 1, .version = 1};
  ASSERT_TRUE(store->Create(a).ok());
  ASSERT_TRUE(store->Write(a, 0, Random(kBlockSize, 6)).ok());
  ASSERT_TRUE(store->Close(1).ok());
  ASSERT_TRUE(io_.FlipByte(ChunkPath(dir_.path(), a), kHeaderSize + 5).ok());
  std::vector<uint8_t> out(kBlockSize);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(store->ReadBlock(a, 0, out).code(), Code::kCrc);
  EXPECT_EQ(store->Verify(a).code(), Code::kCrc);
  EXPECT_FALSE(store->damaged());
}

}  // namespace
}  // namespace elk::chunkstore
