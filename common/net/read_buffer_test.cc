#include "common/net/read_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <vector>

namespace elk::net {
namespace {

void Append(ReadBuffer& b, const std::vector<uint8_t>& bytes) {
  auto room = b.PrepareWrite(bytes.size());
  ASSERT_GE(room.size(), bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  b.Commit(bytes.size());
}

TEST(ReadBuffer, KeepsUnreadBytesInOrderAcrossGrowthAndCompaction) {
  ReadBuffer b;
  std::vector<uint8_t> expected;
  uint8_t next = 0;
  size_t consumed = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> chunk(static_cast<size_t>(100 + round * 37 % 5000));
    for (auto& c : chunk)
      c = next++;
    Append(b, chunk);
    expected.insert(expected.end(), chunk.begin(), chunk.end());
    size_t eat = b.size() * 2 / 3;
    b.Consume(eat);
    consumed += eat;
    auto r = b.readable();
    ASSERT_EQ(r.size(), expected.size() - consumed);
    ASSERT_TRUE(std::equal(r.begin(), r.end(), expected.begin() + static_cast<long>(consumed)));
  }
  // Consumption outpaces growth, so the buffer stays a small multiple of what is live.
  EXPECT_LT(b.capacity(), 64u * 1024);
}

TEST(ReadBuffer, BigFrameGetsOneContiguousAllocation) {
  ReadBuffer b;
  Append(b, std::vector<uint8_t>(8, 1));
  auto room = b.PrepareWrite(1 << 20);
  EXPECT_GE(room.size(), size_t{1} << 20);
  EXPECT_EQ(b.readable().size(), 8u);
  b.Consume(8);
  b.ShrinkIfIdle(64 << 10);
  EXPECT_EQ(b.capacity(), 0u);
}

}  // namespace
}  // namespace elk::net
