// The frame header and cutting a byte stream into frames.

#include "common/protocol/frame.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/protocol/codec.h"
#include "common/protocol/frame_split.h"
#include "common/protocol/messages.h"

namespace elk::protocol {
namespace {

TEST(FrameTest, HeaderIsTypeThenLengthBigEndian) {
  uint8_t out[kFrameHeaderSize];
  EncodeFrameHeader(FrameHeader{0x01020304, 0xA0B0C0D0}, out);
  const uint8_t expected[] = {1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0};
  EXPECT_TRUE(std::equal(std::begin(out), std::end(out), std::begin(expected)));
  FrameHeader h = DecodeFrameHeader(out);
  EXPECT_EQ(h.type, 0x01020304u);
  EXPECT_EQ(h.length, 0xA0B0C0D0u);
}

std::vector<uint8_t> TwoFrames() {
  std::vector<uint8_t> stream;
  EXPECT_TRUE(AppendFrame(CltomaReadlink{.msgid = 1, .inode = 2}, stream).ok());
  EXPECT_TRUE(AppendFrame(AntoanNop{}, stream).ok());
  return stream;
}

TEST(FrameTest, NextFrameSplitsAStream) {
  std::vector<uint8_t> bytes = TwoFrames();
  std::span<const uint8_t> stream(bytes);
  auto first = NextFrame(stream);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->type, CLTOMA_READLINK);
  auto readlink = Decode<CltomaReadlink>(**first);
  ASSERT_TRUE(readlink.ok());
  EXPECT_EQ(readlink->inode, 2u);

  auto second = NextFrame(stream);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->type, ANTOAN_NOP);
  EXPECT_TRUE((*second)->payload.empty());
  EXPECT_TRUE(stream.empty());
  auto none = NextFrame(stream);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(FrameTest, NextFrameWaitsForWholeFrameAtEveryCut) {
  std::vector<uint8_t> bytes = TwoFrames();
  const size_t first_size = kFrameHeaderSize + 8;
  for (size_t len = 0; len < first_size; ++len) {
    std::span<const uint8_t> stream(bytes.data(), len);
    auto frame = NextFrame(stream);
    ASSERT_TRUE(frame.ok()) << len;
    EXPECT_FALSE(frame->has_value()) << len;
    EXPECT_EQ(stream.size(), len) << "consumed bytes of an incomplete frame";
  }
}

TEST(FrameTest, UnknownTypeIsRefusedFromTheHeaderAlone) {
  uint8_t header[kFrameHeaderSize];
  EncodeFrameHeader(FrameHeader{77777, 4}, header);
  std::span<const uint8_t> stream(header);
  auto frame = NextFrame(stream);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.code(), Code::kProtocol);
  EXPECT_EQ(frame.status().message(), "unknown message type 77777 (length 4)");
}

TEST(FrameTest, OversizeLengthIsRefusedFromTheHeaderAlone) {
  uint8_t header[kFrameHeaderSize];
  EncodeFrameHeader(FrameHeader{CLTOMA_STATFS, MaxPayload(CLTOMA_STATFS) + 1}, header);
  std::span<const uint8_t> stream(header);
  auto frame = NextFrame(stream);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().message(),
            "CLTOMA_STATFS frame of 257 bytes exceeds its maximum of 256");

  EncodeFrameHeader(FrameHeader{ANTOAN_NOP, 1}, header);
  EXPECT_FALSE(CheckFrameHeader(DecodeFrameHeader(header)).ok());
  EXPECT_TRUE(CheckFrameHeader(FrameHeader{ANTOAN_NOP, 0}).ok());
  EXPECT_TRUE(CheckFrameHeader(FrameHeader{CLTOCS_WRITE_DATA, MaxPayload(CLTOCS_WRITE_DATA)}).ok());
}

}  // namespace
}  // namespace elk::protocol
