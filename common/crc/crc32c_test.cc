#include "common/crc/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string_view>
#include <vector>

namespace elk::crc {
namespace {

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

TEST(Crc32c, Rfc3720Vectors) {
  std::vector<uint8_t> buf(32, 0);
  EXPECT_EQ(Crc32c(buf), 0x8A9136AAu);
  std::fill(buf.begin(), buf.end(), 0xFF);
  EXPECT_EQ(Crc32c(buf), 0x62A8AB43u);
  for (size_t i = 0; i < 32; ++i)
    buf[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Crc32c(buf), 0x46DD794Eu);
  for (size_t i = 0; i < 32; ++i)
    buf[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(Crc32c(buf), 0x113FDB5Cu);
}

TEST(Crc32c, CheckValue) {
  constexpr std::string_view kCheck = "123456789";
  EXPECT_EQ(Crc32c(0, kCheck.data(), kCheck.size()), 0xE3069283u);
  EXPECT_EQ(Crc32cPortable(0, kCheck.data(), kCheck.size()), 0xE3069283u);
}

TEST(Crc32c, EmptyInputKeepsCrc) {
  EXPECT_EQ(Crc32c(0, nullptr, 0), 0u);
  EXPECT_EQ(Crc32c(0x12345678u, nullptr, 0), 0x12345678u);
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  const auto data = RandomBytes(100000, 7);
  const uint32_t whole = Crc32c(data);
  for (size_t cut : {size_t{1}, size_t{7}, size_t{768}, size_t{24576}, size_t{99999}}) {
    const uint32_t a = Crc32c(0, data.data(), cut);
    EXPECT_EQ(Crc32c(a, data.data() + cut, data.size() - cut), whole) << "cut " << cut;
  }
}

// Every length 0..1000 at every start offset 0..7, so each head/8-byte/tail path and
// the three-stream path (>= 768 bytes) run on every alignment.
TEST(Crc32c, HardwareMatchesPortable) {
  if (!HardwareAccelerated()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  const auto data = RandomBytes(1100, 1);
  for (size_t start = 0; start < 8; ++start) {
    for (size_t len = 0; len <= 1000; ++len) {
      ASSERT_EQ(Crc32c(0, data.data() + start, len), Crc32cPortable(0, data.data() + start, len))
          << "start " << start << " len " << len;
    }
  }
}

TEST(Crc32c, HardwareMatchesPortableOnLargeBuffers) {
  if (!HardwareAccelerated()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  const auto data = RandomBytes((1 << 20) + 13, 2);
  for (size_t len : {size_t{4096}, size_t{24575}, size_t{24576}, size_t{24577}, size_t{65536},
                     size_t{1} << 20, data.size() - 3}) {
    EXPECT_EQ(Crc32c(0, data.data() + 3, len), Crc32cPortable(0, data.data() + 3, len))
        << "len " << len;
  }
}

TEST(Crc32c, CombineEqualsConcatenation) {
  const auto data = RandomBytes(5000, 3);
  const uint32_t whole = Crc32c(data);
  for (size_t split = 0; split <= data.size(); split += 37) {
    const uint32_t a = Crc32c(0, data.data(), split);
    const uint32_t b = Crc32c(0, data.data() + split, data.size() - split);
    ASSERT_EQ(Crc32cCombine(a, b, data.size() - split), whole) << "split " << split;
  }
}

TEST(Crc32c, CombineWithEmptyPieces) {
  const auto data = RandomBytes(100, 4);
  const uint32_t c = Crc32c(data);
  EXPECT_EQ(Crc32cCombine(c, 0, 0), c);
  EXPECT_EQ(Crc32cCombine(0, c, data.size()), c);
}

TEST(Crc32c, ZerosMatchesHashingZeros) {
  std::vector<uint8_t> zeros(65536 * 2, 0);
  for (size_t len :
       {size_t{0}, size_t{1}, size_t{8}, size_t{32}, size_t{4095}, size_t{65536}, zeros.size()}) {
    EXPECT_EQ(Crc32cZeros(len), Crc32c(0, zeros.data(), len)) << "len " << len;
  }
  EXPECT_EQ(Crc32cZeros(32), 0x8A9136AAu);
}

TEST(Crc32c, ExtendZerosMatchesHashing) {
  auto data = RandomBytes(1000, 5);
  const uint32_t head = Crc32c(0, data.data(), 400);
  std::fill(data.begin() + 400, data.end(), 0);
  EXPECT_EQ(Crc32cExtendZeros(head, 600), Crc32c(data));
}

}  // namespace
}  // namespace elk::crc
