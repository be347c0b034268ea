#include "chunkserver/storage/chunk_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <vector>

#include "chunkserver/storage/fault_disk_io.h"
#include "chunkserver/storage/test_dir.h"
#include "common/crc/crc32c.h"

namespace elk::chunkstore {
namespace {

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng() | 1);  // never zero: writes are visible
  return v;
}

class ChunkFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChunkFile> MakeChunk(ChunkName name = kName) {
    auto c = ChunkFile::Create(io_, dir_.path(), name);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }
  std::vector<uint8_t> ReadAll(ChunkFile& c, uint64_t offset, size_t n) {
    std::vector<uint8_t> out(n);
    Status s = c.Read(offset, out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static constexpr ChunkName kName{.id = 0xABCDEF0123456789ull, .version = 1};
  TestDir dir_;
  std::unique_ptr<DiskIo> posix_ = NewPosixDiskIo();
  FaultDiskIo io_{*posix_};
};

TEST_F(ChunkFileTest, FreshChunkReadsZerosAndLivesInItsSubfolder) {
  auto c = MakeChunk();
  EXPECT_EQ(c->path(), dir_.path() + "/89/chunk_ABCDEF0123456789_00000001.mfs");
  EXPECT_TRUE(std::filesystem::exists(c->path()));
  EXPECT_EQ(c->data_size(), 0u);
  EXPECT_EQ(ReadAll(*c, 1000, 70000), std::vector<uint8_t>(70000, 0));
  std::vector<uint8_t> block(kBlockSize);
  auto crc = c->ReadBlock(1023, block);
  ASSERT_TRUE(crc.ok());
  EXPECT_EQ(*crc, ZeroBlockCrc());
}

TEST_F(ChunkFileTest, FullBlockWriteStoresItsCrcAndReadBlockReturnsIt) {
  auto c = MakeChunk();
  const auto data = Random(kBlockSize, 1);
  ASSERT_TRUE(c->Write(2 * kBlockSize, data).ok());
  EXPECT_EQ(c->BlockCrc(2), crc::Crc32c(data));
  EXPECT_EQ(c->data_size(), 3u * kBlockSize);  // blocks 0 and 1 are holes
  std::vector<uint8_t> block(kBlockSize);
  auto crc = c->ReadBlock(2, block);
  ASSERT_TRUE(crc.ok());
  EXPECT_EQ(*crc, crc::Crc32c(data));
  EXPECT_EQ(block, data);
  EXPECT_EQ(ReadAll(*c, 0, 2 * kBlockSize), std::vector<uint8_t>(2 * kBlockSize, 0));
}

TEST_F(ChunkFileTest, PartialBlockCrcCoversTheWholeZeroPaddedBlock) {
  auto c = MakeChunk();
  const auto data = Random(100, 2);
  ASSERT_TRUE(c->Write(kBlockSize + 10, data).ok());
  std::vector<uint8_t> expect(kBlockSize, 0);
  std::copy(data.begin(), data.end(), expect.begin() + 10);
  EXPECT_EQ(c->BlockCrc(1), crc::Crc32c(expect));
  EXPECT_EQ(ReadAll(*c, kBlockSize + 10, 100), data);
}

// Writes at the awkward offsets against a model of the whole chunk, then reads it all back,
// before and after a reopen (so the header CRCs were persisted).
TEST_F(ChunkFileTest, PartialWritesAtBlockBoundariesMatchAModel) {
  std::vector<uint8_t> model(kChunkSize, 0);
  {
    auto c = MakeChunk();
    uint32_t seed = 10;
    for (uint64_t off : {uint64_t{0}, uint64_t{1}, uint64_t{65535}, uint64_t{65536},
                         uint64_t{65537}, kChunkSize - kBlockSize, kChunkSize - 3}) {
      const size_t n = off == kChunkSize - 3 ? 3 : 5000;
      const auto data = Random(n, seed++);
      ASSERT_TRUE(c->Write(off, data).ok()) << off;
      std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(off));
    }
    const auto straddle = Random(3 * kBlockSize, 99);  // partial + whole + partial
    ASSERT_TRUE(c->Write(5 * kBlockSize + 7, straddle).ok());
    std::copy(straddle.begin(), straddle.end(), model.begin() + 5 * kBlockSize + 7);
    EXPECT_EQ(c->data_size(), kChunkSize);
    EXPECT_EQ(ReadAll(*c, 0, kChunkSize), model);
  }
  auto reopened = ChunkFile::Open(io_, dir_.path(), kName);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(ReadAll(**reopened, 0, kChunkSize), model);
  EXPECT_TRUE((*reopened)->Verify().ok());
}

TEST_F(ChunkFileTest, ASmallWriteIntoAStoredBlockWritesOnlyItsBytes) {
  auto c = MakeChunk();
  auto model = Random(2 * kBlockSize, 5);
  ASSERT_TRUE(c->Write(0, model).ok());
  const auto patch = Random(4096, 6);
  const uint64_t before = io_.BytesWritten();
  ASSERT_TRUE(c->Write(kBlockSize + 8192, patch).ok());
  EXPECT_EQ(io_.BytesWritten() - before, patch.size());
  std::copy(patch.begin(), patch.end(), model.begin() + kBlockSize + 8192);
  EXPECT_EQ(c->BlockCrc(1), crc::Crc32c(std::span<const uint8_t>(model).subspan(kBlockSize)));
  ASSERT_TRUE(c->Flush().ok());
  // Reopened, the block reads back whole and passes its CRC.
  c.reset();
  auto again = ChunkFile::Open(io_, dir_.path(), kName);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ReadAll(**again, 0, model.size()), model);
  // Past the stored data a block is still written whole.
  const uint64_t at_end = io_.BytesWritten();
  ASSERT_TRUE((*again)->Write(5 * kBlockSize + 100, patch).ok());
  EXPECT_EQ(io_.BytesWritten() - at_end, kBlockSize);
}

TEST_F(ChunkFileTest, WritesAndReadsPast64MiBAreRefused) {
  auto c = MakeChunk();
  std::vector<uint8_t> b(10);
  EXPECT_EQ(c->Write(kChunkSize - 5, b).code(), Code::kWrongSize);
  EXPECT_EQ(c->Read(kChunkSize + 1, std::span<uint8_t>(b.data(), 0)).code(), Code::kWrongOffset);
  EXPECT_EQ(c->Read(kChunkSize - 5, b).code(), Code::kWrongSize);
}

TEST_F(ChunkFileTest, FlippedDataByteIsFoundByReadAndVerifyWithTheBlockNumber) {
  auto c = MakeChunk();
  ASSERT_TRUE(c->Write(0, Random(4 * kBlockSize, 3)).ok());
  ASSERT_TRUE(c->Flush().ok());
  ASSERT_TRUE(io_.FlipByte(c->path(), kHeaderSize + 2 * kBlockSize + 1234).ok());

  std::vector<uint8_t> out(10);
  EXPECT_TRUE(c->Read(kBlockSize, out).ok());  // other blocks still serve
  Status s = c->Read(2 * kBlockSize + 1000, out);
  EXPECT_EQ(s.code(), Code::kCrc);
  EXPECT_NE(s.message().find("block 2 "), std::string::npos) << s.message();
  Status v = c->Verify();
  EXPECT_EQ(v.code(), Code::kCrc);
  EXPECT_NE(v.message().find("block 2 "), std::string::npos) << v.message();
  // A partial write must not launder the damage into a fresh CRC.
  EXPECT_EQ(c->Write(2 * kBlockSize, out).code(), Code::kCrc);
  EXPECT_EQ(c->Verify().code(), Code::kCrc);
}

TEST_F(ChunkFileTest, FlippedHeaderByteIsFoundAtOpen) {
  for (uint64_t at : {uint64_t{3}, uint64_t{12}, uint64_t{4096 + 40}}) {
    const ChunkName name{.id = 1000 + at, .version = 2};
    MakeChunk(name).reset();
    ASSERT_TRUE(io_.FlipByte(ChunkPath(dir_.path(), name), at).ok());
    auto r = ChunkFile::Open(io_, dir_.path(), name);
    EXPECT_EQ(r.code(), Code::kCorruption) << at;
  }
}

TEST_F(ChunkFileTest, HeaderThatDisagreesWithTheNameIsRefused) {
  const std::string path = MakeChunk()->path();
  const ChunkName other{.id = kName.id, .version = 7};
  std::filesystem::rename(path, ChunkPath(dir_.path(), other));
  auto r = ChunkFile::Open(io_, dir_.path(), other);
  EXPECT_EQ(r.code(), Code::kCorruption);
  EXPECT_NE(r.status().message().find("header says"), std::string::npos);
}

TEST_F(ChunkFileTest, TruncateDownZerosTheTailAndDropsBlocks) {
  auto c = MakeChunk();
  const auto data = Random(4 * kBlockSize, 4);
  ASSERT_TRUE(c->Write(0, data).ok());
  ASSERT_TRUE(c->Truncate(kBlockSize + 100).ok());
  EXPECT_EQ(c->data_size(), 2u * kBlockSize);
  EXPECT_EQ(c->BlockCrc(3), ZeroBlockCrc());
  EXPECT_EQ(std::filesystem::file_size(c->path()), kHeaderSize + 2 * kBlockSize);
  auto got = ReadAll(*c, 0, 4 * kBlockSize);
  std::vector<uint8_t> expect(4 * kBlockSize, 0);
  std::copy_n(data.begin(), kBlockSize + 100, expect.begin());
  EXPECT_EQ(got, expect);
  EXPECT_TRUE(c->Verify().ok());
}

TEST_F(ChunkFileTest, TruncateUpReadsZerosAndSurvivesReopen) {
  {
    auto c = MakeChunk();
    ASSERT_TRUE(c->Write(0, Random(100, 5)).ok());
    ASSERT_TRUE(c->Truncate(10 * kBlockSize).ok());
    EXPECT_EQ(c->data_size(), 10u * kBlockSize);
    EXPECT_EQ(ReadAll(*c, 100, 9 * kBlockSize), std::vector<uint8_t>(9 * kBlockSize, 0));
  }
  auto c = ChunkFile::Open(io_, dir_.path(), kName);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->data_size(), 10u * kBlockSize);
  EXPECT_TRUE((*c)->Verify().ok());
}

TEST_F(ChunkFileTest, SetVersionRenamesTheFile) {
  auto c = MakeChunk();
  const auto data = Random(1000, 6);
  ASSERT_TRUE(c->Write(0, data).ok());
  const std::string old_path = c->path();
  ASSERT_TRUE(c->SetVersion(0x10).ok());
  EXPECT_FALSE(std::filesystem::exists(old_path));
  EXPECT_EQ(c->path(), ChunkPath(dir_.path(), {.id = kName.id, .version = 0x10}));
  c.reset();
  EXPECT_EQ(ChunkFile::Open(io_, dir_.path(), kName).code(), Code::kNoEnt);
  auto again = ChunkFile::Open(io_, dir_.path(), {.id = kName.id, .version = 0x10});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ReadAll(**again, 0, 1000), data);
}

TEST_F(ChunkFileTest, DuplicateGivesIdenticalDataUnderANewName) {
  auto c = MakeChunk();
  const auto data = Random(3 * kBlockSize + 17, 7);
  ASSERT_TRUE(c->Write(kBlockSize, data).ok());
  const ChunkName to{.id = 0x42, .version = 9};
  auto copy = c->Duplicate(to);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ((*copy)->path(), dir_.path() + "/42/chunk_0000000000000042_00000009.mfs");
  EXPECT_EQ((*copy)->data_size(), c->data_size());
  EXPECT_EQ(ReadAll(**copy, 0, 6 * kBlockSize), ReadAll(*c, 0, 6 * kBlockSize));
  for (uint32_t b = 0; b < 6; ++b)
    EXPECT_EQ((*copy)->BlockCrc(b), c->BlockCrc(b)) << b;
  EXPECT_EQ(c->Duplicate(to).code(), Code::kExist);
}

TEST_F(ChunkFileTest, DuplicateTruncateCutsTheCopyOnly) {
  auto c = MakeChunk();
  const auto data = Random(3 * kBlockSize, 8);
  ASSERT_TRUE(c->Write(0, data).ok());
  auto copy = c->DuplicateTruncate({.id = 5, .version = 1}, 1000);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ((*copy)->data_size(), kBlockSize);
  auto got = ReadAll(**copy, 0, 2 * kBlockSize);
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 1000, got.begin()));
  EXPECT_TRUE(std::all_of(got.begin() + 1000, got.end(), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(ReadAll(*c, 0, 3 * kBlockSize), data);
}

TEST_F(ChunkFileTest, DeleteRemovesTheFile) {
  auto c = MakeChunk();
  const std::string path = c->path();
  ASSERT_TRUE(c->Delete().ok());
  c.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(ChunkFileTest, TornWriteIsCaughtByTheBlockCrc) {
  auto c = MakeChunk();
  const auto old_data = Random(kBlockSize, 9);
  ASSERT_TRUE(c->Write(0, old_data).ok());
  io_.Inject({.op = FaultOp::kWrite, .error = EIO, .times = 1, .torn_bytes = 4096});
  EXPECT_EQ(c->Write(0, Random(kBlockSize, 10)).code(), Code::kIo);
  std::vector<uint8_t> out(kBlockSize);
  EXPECT_EQ(c->Read(0, out).code(), Code::kCrc);
  EXPECT_EQ(c->Verify().code(), Code::kCrc);
}

TEST_F(ChunkFileTest, FailedAppendLeavesTheOldDataAndSize) {
  auto c = MakeChunk();
  const auto data = Random(kBlockSize, 11);
  ASSERT_TRUE(c->Write(0, data).ok());
  io_.Inject({.op = FaultOp::kWrite, .error = ENOSPC, .times = 1, .torn_bytes = 100});
  EXPECT_EQ(c->Write(kBlockSize, data).code(), Code::kNoSpace);
  EXPECT_EQ(c->data_size(), kBlockSize);
  EXPECT_EQ(std::filesystem::file_size(c->path()), kHeaderSize + kBlockSize);
  EXPECT_EQ(ReadAll(*c, 0, kBlockSize), data);
  EXPECT_TRUE(c->Verify().ok());
}

// What the master is told is durable: the header, the rename, the folder entry.
TEST_F(ChunkFileTest, CreateSyncsTheFileAndItsFolder) {
  auto c = MakeChunk();
  EXPECT_EQ(io_.Calls(FaultOp::kSync), 1u);
  EXPECT_EQ(io_.Calls(FaultOp::kSyncDir), 1u);
}

TEST_F(ChunkFileTest, SetVersionSyncsTheHeaderBeforeTheRenameAndTheFolderAfter) {
  auto c = MakeChunk();
  const uint64_t syncs = io_.Calls(FaultOp::kSync), dir_syncs = io_.Calls(FaultOp::kSyncDir);
  ASSERT_TRUE(c->SetVersion(2).ok());
  EXPECT_EQ(io_.Calls(FaultOp::kSync), syncs + 1);
  EXPECT_EQ(io_.Calls(FaultOp::kSyncDir), dir_syncs + 1);

  // A failed header sync stops before the rename: the file keeps its name and version.
  io_.Inject({.op = FaultOp::kSync, .error = EIO, .times = 1});
  EXPECT_FALSE(c->SetVersion(3).ok());
  EXPECT_EQ(c->name().version, 2u);
  EXPECT_TRUE(std::filesystem::exists(ChunkPath(dir_.path(), {kName.id, 2})));
  EXPECT_EQ(io_.Calls(FaultOp::kRename), 1u);

  // A failed folder sync comes after the rename: the error is reported, the name is new.
  io_.Inject({.op = FaultOp::kSyncDir, .error = EIO, .times = 1});
  EXPECT_FALSE(c->SetVersion(4).ok());
  EXPECT_EQ(c->name().version, 4u);
  EXPECT_TRUE(std::filesystem::exists(ChunkPath(dir_.path(), {kName.id, 4})));
}

TEST_F(ChunkFileTest, CreateFailsAndLeavesNoFileWhenTheFolderSyncFails) {
  io_.Inject({.op = FaultOp::kSyncDir, .error = EIO, .times = 1});
  auto c = ChunkFile::Create(io_, dir_.path(), kName);
  EXPECT_FALSE(c.ok());
  EXPECT_FALSE(std::filesystem::exists(ChunkPath(dir_.path(), kName)));
}

TEST_F(ChunkFileTest, DuplicateSyncsTheCopy) {
  auto c = MakeChunk();
  ASSERT_TRUE(c->Write(0, Random(kBlockSize, 9)).ok());
  const uint64_t syncs = io_.Calls(FaultOp::kSync);
  auto copy = c->Duplicate({kName.id + 1, 1});
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(io_.Calls(FaultOp::kSync), syncs + 2);  // the new file at creation, then its data
}

}  // namespace
}  // namespace elk::chunkstore
