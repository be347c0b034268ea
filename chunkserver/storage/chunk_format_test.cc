#include "chunkserver/storage/chunk_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/crc/crc32c.h"

namespace elk::chunkstore {
namespace {

TEST(ChunkFormat, FileNameRoundTrip) {
  const ChunkName n{.id = 0x123456789ABCDEF0ull, .version = 0x2A};
  EXPECT_EQ(ChunkFileName(n), "chunk_123456789ABCDEF0_0000002A.mfs");
  EXPECT_EQ(ChunkSubfolder(n.id), "F0");
  EXPECT_EQ(ChunkPath("/d", n), "/d/F0/chunk_123456789ABCDEF0_0000002A.mfs");
  EXPECT_EQ(ParseChunkFileName(ChunkFileName(n)), n);
}

TEST(ChunkFormat, ParseRefusesStrangers) {
  for (const char* bad :
       {"", "chunk_.mfs", "chunk_123456789ABCDEF0_0000002A.mfs.tmp",
        "chunk_123456789abcdef0_0000002A.mfs", "chunk_123456789ABCDEF0-0000002A.mfs",
        "chunk_123456789ABCDEFG_0000002A.mfs", "chunk_+23456789ABCDEF0_0000002A.mfs",
        "junk_123456789ABCDEF0_0000002A.mfs", "chunk_123456789ABCDEF0_0000002A.txt"}) {
    EXPECT_FALSE(ParseChunkFileName(bad).has_value()) << bad;
  }
}

TEST(ChunkFormat, HeaderRoundTrip) {
  ChunkHeader h = ChunkHeader::Fresh({.id = 77, .version = 3});
  h.block_crc[5] = 0xDEADBEEF;
  std::vector<uint8_t> buf(kHeaderSize);
  EncodeHeader(h, std::span<uint8_t, kHeaderSize>(buf.data(), kHeaderSize));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(buf.data()), 8), "ELKC 1.0");
  auto back = DecodeHeader(std::span<const uint8_t, kHeaderSize>(buf.data(), kHeaderSize));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, h.name);
  EXPECT_EQ(back->block_crc, h.block_crc);
}

TEST(ChunkFormat, AnyFlippedHeaderByteIsCorruption) {
  ChunkHeader h = ChunkHeader::Fresh({.id = 1, .version = 1});
  std::vector<uint8_t> buf(kHeaderSize);
  EncodeHeader(h, std::span<uint8_t, kHeaderSize>(buf.data(), kHeaderSize));
  for (size_t at :
       {size_t{0}, size_t{9}, size_t{17}, size_t{21}, size_t{100}, size_t{4096}, kHeaderSize - 1}) {
    auto copy = buf;
    copy[at] ^= 0x01;
    auto r = DecodeHeader(std::span<const uint8_t, kHeaderSize>(copy.data(), kHeaderSize));
    EXPECT_EQ(r.code(), Code::kCorruption) << "byte " << at;
  }
}

TEST(ChunkFormat, FreshHeaderHoldsZeroBlockCrc) {
  std::vector<uint8_t> zeros(kBlockSize, 0);
  EXPECT_EQ(ZeroBlockCrc(), crc::Crc32c(zeros));
  EXPECT_EQ(ZeroBlockCrc(), 0x72C0C4A4u);  // pinned by docs/chunk-file.md
  EXPECT_EQ(ChunkHeader::Fresh({}).block_crc[1023], ZeroBlockCrc());
}

}  // namespace
}  // namespace elk::chunkstore
