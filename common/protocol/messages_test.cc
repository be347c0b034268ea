// Properties every message must have, checked for each one in AllMessages.

#include "common/protocol/messages.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/protocol/codec.h"
#include "common/protocol/compare.h"
#include "common/protocol/test_fill.h"

namespace elk::protocol {
namespace {

using testing::Filled;

template <typename F>
void ForEachMessage(F&& f) {
  AllMessages::ForEach([&]<typename M>(std::type_identity<M> m) {
    SCOPED_TRACE(std::string(TypeName(M::kType)));
    f(m);
  });
}

std::vector<uint8_t> PayloadOf(const std::vector<uint8_t>& frame) {
  return std::vector<uint8_t>(frame.begin() + kFrameHeaderSize, frame.end());
}

TEST(MessagesTest, FilledMessageRoundTripsByteForByte) {
  ForEachMessage([]<typename M>(std::type_identity<M>) {
    const M original = Filled<M>();
    auto frame = EncodeFrame(original);
    ASSERT_TRUE(frame.ok()) << frame.status().ToString();
    FrameHeader h = DecodeFrameHeader(frame->data());
    EXPECT_EQ(h.type, M::kType);
    EXPECT_EQ(h.length, frame->size() - kFrameHeaderSize);
    EXPECT_EQ(h.length, EncodedSize(original));

    std::vector<uint8_t> payload = PayloadOf(*frame);
    auto decoded = Decode<M>(payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_TRUE(FieldsEqual(*decoded, original));
    auto again = EncodeFrame(*decoded);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *frame);
  });
}

TEST(MessagesTest, FilledMessageDiffersFromDefault) {
  // Guards the round-trip test: a fill that left fields at their defaults would prove
  // nothing about those fields.
  ForEachMessage([]<typename M>(std::type_identity<M>) {
    if constexpr (std::tuple_size_v < FieldTypes < M >>> 0) {
      EXPECT_FALSE(FieldsEqual(Filled<M>(), M{}));
    }
  });
}

TEST(MessagesTest, DefaultMessageRoundTripsAtMinimumSize) {
  ForEachMessage([]<typename M>(std::type_identity<M>) {
    const M original{};
    EXPECT_EQ(EncodedSize(original), MinEncodedSize<M>());
    auto payload = EncodePayload(original);
    ASSERT_TRUE(payload.ok()) << payload.status().ToString();
    auto decoded = Decode<M>(*payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_TRUE(FieldsEqual(*decoded, original));
  });
}

TEST(MessagesTest, EveryTruncationIsRefused) {
  ForEachMessage([]<typename M>(std::type_identity<M>) {
    auto payload = EncodePayload(Filled<M>());
    ASSERT_TRUE(payload.ok());
    for (size_t len = 0; len < payload->size(); ++len) {
      // A copy of exactly `len` bytes, so a read past it is caught by ASan too.
      std::vector<uint8_t> cut(payload->begin(), payload->begin() + len);
      auto decoded = Decode<M>(cut);
      ASSERT_FALSE(decoded.ok()) << "accepted a " << len << "-byte prefix";
      EXPECT_EQ(decoded.code(), Code::kProtocol);
      EXPECT_EQ(decoded.status().message().rfind(TypeName(M::kType), 0), 0u)
          << decoded.status().message();
    }
  });
}

TEST(MessagesTest, TrailingBytesAreRefused) {
  ForEachMessage([]<typename M>(std::type_identity<M>) {
    auto payload = EncodePayload(Filled<M>());
    ASSERT_TRUE(payload.ok());
    payload->push_back(0);
    auto decoded = Decode<M>(*payload);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.code(), Code::kProtocol);
    // A type whose limit the extra byte breaks is refused for that, before decoding.
    const char* why =
        payload->size() > MaxPayload(M::kType) ? "exceeds its maximum" : "1 trailing bytes";
    EXPECT_NE(decoded.status().message().find(why), std::string::npos)
        << decoded.status().message();
  });
}

TEST(MessagesTest, DecodingAFrameChecksItsType) {
  auto frame = EncodeFrame(CltomaStatfs{.msgid = 9});
  ASSERT_TRUE(frame.ok());
  std::span<const uint8_t> payload(frame->data() + kFrameHeaderSize, 4);
  EXPECT_TRUE(Decode<CltomaStatfs>(FrameView{CLTOMA_STATFS, payload}).ok());
  auto wrong = Decode<CltomaReadlink>(FrameView{CLTOMA_STATFS, payload});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "expected a CLTOMA_READLINK frame, got CLTOMA_STATFS (1023)");
}

TEST(MessagesTest, ChunkserverWriteErrorAndDuptruncLayouts) {
  auto err = EncodePayload(CstoclWriteError{.chunkid = 0x0102030405060708,
                                            .write_id = 9,
                                            .status = Code::kDisconnected,
                                            .server = {.ip = 0x7f000001, .port = 9422}});
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(*err, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9, 28, 127, 0, 0, 1, 0x24,
                                        0xCE}));
  auto dup = EncodePayload(MatocsDuptruncChunk{
      .new_chunkid = 2, .new_version = 3, .old_chunkid = 4, .old_version = 5, .length = 6});
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->size(), 8u + 4 + 8 + 4 + 4);
  EXPECT_EQ(dup->back(), 6);
}

// mfsdirinfo's request and answer: the ids a tool sends, and seven 64-bit figures (a tree may
// hold more than 2^32 inodes or chunks).
TEST(MessagesTest, DirStatsLayouts) {
  EXPECT_EQ(CltomaGetdirstats::kType, 1044u);
  EXPECT_EQ(MatoclGetdirstats::kType, 2044u);
  auto ask = EncodePayload(CltomaGetdirstats{.msgid = 7, .inode = 0x01020304});
  ASSERT_TRUE(ask.ok());
  EXPECT_EQ(*ask, (std::vector<uint8_t>{0, 0, 0, 7, 1, 2, 3, 4}));
  MatoclGetdirstats answer{.msgid = 7,
                           .inodes = 1,
                           .dirs = 2,
                           .files = 3,
                           .chunks = uint64_t{1} << 33,
                           .length = 5,
                           .size = 6,
                           .realsize = 7};
  auto bytes = EncodePayload(answer);
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 4u + 7 * 8);
  EXPECT_EQ((*bytes)[4 + 3 * 8 + 3], 2);  // chunks: 2^33, big endian
  EXPECT_EQ(bytes->back(), 7);
  auto back = Decode<MatoclGetdirstats>(FrameView{MATOCL_GETDIRSTATS, *bytes});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->chunks, uint64_t{1} << 33);
  EXPECT_EQ(back->realsize, 7u);
}

TEST(MessagesTest, ChunkListLayouts) {
  auto ask = EncodePayload(CltomaChunkList{.msgid = 1, .inode = 2, .first_index = 0x7FFFFFFF});
  ASSERT_TRUE(ask.ok());
  EXPECT_EQ(*ask, (std::vector<uint8_t>{0, 0, 0, 1, 0, 0, 0, 2, 0x7F, 0xFF, 0xFF, 0xFF}));
  MatoclChunkList page{.msgid = 1, .file_length = uint64_t{1} << 56, .next_index = 5, .chunks = {}};
  page.chunks.push_back({.index = 3, .chunkid = 7, .version = 9, .copies = {}});
  page.chunks.back().copies.push_back(
      {.server = {.ip = 0x7f000001, .port = 9422}, .version = 9, .valid = true});
  auto reply = EncodePayload(page);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(*reply, (std::vector<uint8_t>{0,   0, 0, 1,                    // msgid
                                          1,   0, 0, 0, 0,    0,    0, 0,  // file_length
                                          0,   0, 0, 5,                    // next_index
                                          0,   0, 0, 1,                    // one chunk
                                          0,   0, 0, 3,                    // its index
                                          0,   0, 0, 0, 0,    0,    0, 7,  // chunkid
                                          0,   0, 0, 9,                    // version
                                          0,   0, 0, 1,                    // one copy
                                          127, 0, 0, 1, 0x24, 0xCE,        // ip:port
                                          0,   0, 0, 9, 1}));              // version, valid
  EXPECT_EQ(MatoclChunkList{}.next_index, kChunkListEnd);
}

}  // namespace
}  // namespace elk::protocol
