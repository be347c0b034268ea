#include "chunkserver/server/aio_disk_io.h"

#include <gtest/gtest.h>

#include <random>

#include "chunkserver/storage/aligned_buffer.h"
#include "chunkserver/storage/chunk_store.h"
#include "chunkserver/storage/test_dir.h"

namespace elk::chunkserver {
namespace {

using chunkstore::AlignedBuffer;
using elk::kBlockSize;
using chunkstore::TestDir;

void Fill(std::span<uint8_t> s, uint32_t seed) {
  std::mt19937 rng(seed);
  for (auto& b : s) b = static_cast<uint8_t>(rng());
}

TEST(AioDiskIoTest, AlignedAndUnalignedTransfersReadBackWhatWasWritten) {
  TestDir dir;
  auto io = NewAioDiskIo(chunkstore::NewPosixDiskIo());
  auto file = io->Open(dir.path() + "/f", chunkstore::OpenMode::kCreateNew);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  AlignedBuffer block(kBlockSize);
  Fill(block.span(), 1);
  ASSERT_TRUE((*file)->WriteAt(8192, block.span()).ok());  // aligned: the aio path
  std::vector<uint8_t> small(100);
  Fill(small, 2);
  ASSERT_TRUE((*file)->WriteAt(8192 + 10, small).ok());  // unaligned: buffered
  std::copy(small.begin(), small.end(), block.data() + 10);
  EXPECT_EQ(*(*file)->Size(), 8192u + kBlockSize);

  AlignedBuffer back(kBlockSize);
  auto n = (*file)->ReadAt(8192, back.span());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, kBlockSize);
  EXPECT_TRUE(std::equal(back.data(), back.data() + kBlockSize, block.data()));
  std::vector<uint8_t> part(300);
  ASSERT_TRUE((*file)->ReadAt(8192 + 5, part).ok());
  EXPECT_TRUE(std::equal(part.begin(), part.end(), block.data() + 5));
  // Past the end: a short aligned read.
  AlignedBuffer tail(2 * kBlockSize);
  n = (*file)->ReadAt(8192, tail.span());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, kBlockSize);
  ASSERT_TRUE((*file)->Sync().ok());
}

TEST(AioDiskIoTest, ChunkStoreWorksOverIt) {
  TestDir dir;
  auto io = NewAioDiskIo(chunkstore::NewPosixDiskIo());
  auto store = chunkstore::ChunkStore::Open(*io, {.dir = dir.path(), .leave_space = 0});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Create({1, 1}).ok());
  std::vector<uint8_t> data(3 * kBlockSize + 777);
  Fill(data, 3);
  ASSERT_TRUE((*store)->Write({1, 1}, 100, data).ok());
  ASSERT_TRUE((*store)->Close(1).ok());
  std::vector<uint8_t> back(data.size());
  ASSERT_TRUE((*store)->Read({1, 1}, 100, back).ok());
  EXPECT_TRUE(back == data);
  EXPECT_TRUE((*store)->Verify({1, 1}).ok());
  ASSERT_TRUE((*store)->Duplicate({1, 1}, {2, 1}).ok());
  ASSERT_TRUE((*store)->Read({2, 1}, 100, back).ok());
  EXPECT_TRUE(back == data);
}

}  // namespace
}  // namespace elk::chunkserver
