// The generic codec, kind by kind: exact bytes, refusals, and the errors' wording.

#include "common/protocol/codec.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/compare.h"
#include "common/protocol/describe.h"
#include "common/protocol/messages.h"

// Records the largest allocation, to prove that a huge list count is refused before
// anything is allocated for it.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

// Replacing the global allocation functions pairs malloc with free by design; GCC at -O2 cannot
// see that and calls it a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  size_t prev = g_largest_allocation.load();
  while (size > prev && !g_largest_allocation.compare_exchange_weak(prev, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace elk::protocol {
namespace {

// A test-only message using every field kind. It borrows ANTOAN_STATUS's id (and limit,
// 4096) because Decode needs a known type; errors therefore say ANTOAN_STATUS.
struct AllKinds {
  static constexpr uint32_t kType = ANTOAN_STATUS;
  int8_t i8 = 0;
  int16_t i16 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint8_t u8 = 0;
  bool flag = false;
  Role role = Role::kUnknown;
  std::string text;
  std::vector<uint8_t> blob;
  Bytes view;
  std::vector<uint16_t> list;
  std::optional<ServerAddr> maybe;
  std::vector<std::optional<std::string>> nested;
  ELK_FIELDS(i8, i16, i32, i64, u8, flag, role, text, blob, view, list, maybe, nested)
};

std::vector<uint8_t> Encode(const AllKinds& m) {
  auto out = EncodePayload(m);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::vector<uint8_t>{};
}

TEST(CodecTest, AllKindsEncodeBigEndianWithPrefixes) {
  const uint8_t data[] = {0xAA, 0xBB};
  AllKinds m{.i8 = -2,
             .i16 = -3,
             .i32 = 0x01020304,
             .i64 = -1,
             .u8 = 7,
             .flag = true,
             .role = Role::kChunkserver,
             .text = "hi",
             .blob = {9},
             .view = Bytes(data),
             .list = {0x1234},
             .maybe = ServerAddr{.ip = 0x7F000001, .port = 9422},
             .nested = {std::nullopt, "z"}};
  const std::vector<uint8_t> expected = {
      0xFE,                                                       // i8
      0xFF, 0xFD,                                                 // i16
      0x01, 0x02, 0x03, 0x04,                                     // i32
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,             // i64
      0x07,                                                       // u8
      0x01,                                                       // flag
      0x02,                                                       // role
      0,    0,    0,    2,    'h',  'i',                          // text
      0,    0,    0,    1,    9,                                  // blob
      0,    0,    0,    2,    0xAA, 0xBB,                         // view
      0,    0,    0,    1,    0x12, 0x34,                         // list
      1,    0x7F, 0,    0,    1,    0x24, 0xCE,                   // maybe
      0,    0,    0,    2,    0,    1,    0,    0,    0, 1, 'z',  // nested
  };
  EXPECT_EQ(Encode(m), expected);
  EXPECT_EQ(EncodedSize(m), expected.size());

  auto back = Decode<AllKinds>(expected);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(FieldsEqual(*back, m));
  EXPECT_EQ(back->i64, -1);
  EXPECT_EQ(back->nested[1], "z");
}

TEST(CodecTest, BytesDecodeAsAViewIntoThePayload) {
  std::vector<uint8_t> block(65536);
  for (size_t i = 0; i < block.size(); ++i)
    block[i] = static_cast<uint8_t>(i * 31);
  auto payload = EncodePayload(CltocsWriteData{.chunkid = 1, .write_id = 2, .data = block});
  ASSERT_TRUE(payload.ok());
  auto m = Decode<CltocsWriteData>(*payload);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->data.size(), block.size());
  EXPECT_EQ(m->data.data(), payload->data() + payload->size() - block.size());
  EXPECT_TRUE(std::equal(block.begin(), block.end(), m->data.begin()));
}

TEST(CodecTest, ErrorNamesMessageFieldPathAndOffset) {
  auto payload = EncodePayload(MatoclLookup{.msgid = 1, .attr = Attr{.inode = 5}});
  ASSERT_TRUE(payload.ok());
  payload->resize(payload->size() - 13);  // cuts into attr.length (u64 at offset 47)
  auto m = Decode<MatoclLookup>(*payload);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.code(), Code::kProtocol);
  EXPECT_EQ(m.status().message(),
            "MATOCL_LOOKUP.attr.length: truncated: needs 8 bytes, 4 left (offset 47)");
}

TEST(CodecTest, ErrorPathIncludesListIndex) {
  MatoclReaddir m{.msgid = 1, .entries = {{.name = "a"}, {.name = "bb"}}, .eof = true};
  auto payload = EncodePayload(m);
  ASSERT_TRUE(payload.ok());
  // msgid, count, then entries of 65 and 66 bytes: keep all but entries[1]'s last byte.
  payload->resize(4 + 4 + 65 + 65);
  auto back = Decode<MatoclReaddir>(*payload);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(),
            "MATOCL_READDIR.entries[1].attr.rdev: truncated: needs 4 bytes, 3 left "
            "(offset 135)");
}

TEST(CodecTest, HugeListCountIsRefusedBeforeAllocating) {
  // CSTOMA_REGISTER_CHUNKS: count 0xFFFFFFF0 of 13-byte items, but only 12 bytes follow.
  std::vector<uint8_t> payload = {0xFF, 0xFF, 0xFF, 0xF0};
  payload.resize(16, 0);
  g_largest_allocation = 0;
  auto m = Decode<CstomaRegisterChunks>(payload);
  size_t largest = g_largest_allocation.load();
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("CSTOMA_REGISTER_CHUNKS.chunks: count 4294967280 of items "
                                      "of at least 13 bytes exceeds the 12 bytes left"),
            std::string::npos)
      << m.status().message();
  EXPECT_LT(largest, 4096u);
}

TEST(CodecTest, ListCountThatFitsIsAccepted) {
  std::vector<uint8_t> payload = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7, 1};
  auto m = Decode<CstomaRegisterChunks>(payload);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->chunks.size(), 1u);
  EXPECT_EQ(m->chunks[0].chunkid, 42u);
  EXPECT_EQ(m->chunks[0].version, 7u);
  EXPECT_TRUE(m->chunks[0].on_marked_disk);
}

TEST(CodecTest, BoolAndOptionalFlagsMustBeZeroOrOne) {
  auto payload = EncodePayload(CltomaGetgoal{.msgid = 1, .inode = 2, .recursive = true});
  ASSERT_TRUE(payload.ok());
  (*payload)[8] = 2;  // the recursive flag
  auto m = Decode<CltomaGetgoal>(*payload);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("CLTOMA_GETGOAL.recursive: flag byte 2 is neither 0 nor 1"),
            std::string::npos)
      << m.status().message();

  auto setattr = EncodePayload(CltomaSetattr{.msgid = 1});
  ASSERT_TRUE(setattr.ok());
  (*setattr)[20] = 5;  // mode's presence byte, after msgid, inode, creds (12 bytes)
  auto s = Decode<CltomaSetattr>(*setattr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("CLTOMA_SETATTR.mode: flag byte 5"), std::string::npos)
      << s.status().message();
}

TEST(CodecTest, OptionalPresentAndAbsentRoundTrip) {
  CltomaSetattr m{.msgid = 3, .inode = 4, .mode = 0755, .length = 1ull << 40};
  auto payload = EncodePayload(m);
  ASSERT_TRUE(payload.ok());
  auto back = Decode<CltomaSetattr>(*payload);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->mode, std::optional<uint16_t>(0755));
  EXPECT_FALSE(back->uid.has_value());
  EXPECT_EQ(back->length, std::optional<uint64_t>(1ull << 40));
}

TEST(CodecTest, EnumOutOfRangeIsRefused) {
  auto hello = EncodePayload(AntoanHello{.protocol_version = 1, .role = Role::kClient});
  ASSERT_TRUE(hello.ok());
  (*hello)[4] = static_cast<uint8_t>(Role::kLast);
  auto m = Decode<AntoanHello>(*hello);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("ANTOAN_HELLO.role: enum value 8 out of range"),
            std::string::npos)
      << m.status().message();

  std::vector<uint8_t> status = {0, 0, 0, 0, 0, 0, 0, 1, 200};
  EXPECT_FALSE(Decode<CstoclReadStatus>(status).ok());
  status[8] = static_cast<uint8_t>(Code::kCrc);
  auto ok = Decode<CstoclReadStatus>(status);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, Code::kCrc);
}

TEST(CodecTest, OversizeMessageIsRefusedAndLeavesBufferUnchanged) {
  CltomaLookup big{.msgid = 1, .parent = 1, .name = std::string(kSmall, 'x')};
  auto frame = EncodeFrame(big);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.code(), Code::kProtocol);
  EXPECT_NE(frame.status().message().find("CLTOMA_LOOKUP payload of 16408 bytes exceeds its "
                                          "maximum of 16384"),
            std::string::npos)
      << frame.status().message();

  std::vector<uint8_t> out = {1, 2, 3};
  EXPECT_FALSE(AppendFrame(big, out).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_FALSE(EncodePayload(big).ok());
}

TEST(CodecTest, OversizePayloadIsRefusedOnDecode) {
  std::vector<uint8_t> payload(MaxPayload(CLTOMA_STATFS) + 1);
  auto m = Decode<CltomaStatfs>(payload);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("exceeds its maximum"), std::string::npos);
}

TEST(CodecTest, AppendFrameAddsToExistingBytes) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(AppendFrame(AntoanNop{}, out).ok());
  ASSERT_TRUE(AppendFrame(CltomaStatfs{.msgid = 0x0A0B0C0D}, out).ok());
  const std::vector<uint8_t> expected = {0, 0, 0,    0,    0, 0, 0, 0,  // NOP
                                         0, 0, 0x03, 0xFF, 0, 0, 0, 4, 0x0A, 0x0B, 0x0C, 0x0D};
  EXPECT_EQ(out, expected);
}

TEST(CodecTest, FieldNameSplitsTheList) {
  static_assert(FieldName("a, bb ,c", 0) == "a");
  static_assert(FieldName("a, bb ,c", 1) == "bb");
  static_assert(FieldName("a, bb ,c", 2) == "c");
  static_assert(FieldName("a, bb ,c", 3) == "?");
  EXPECT_EQ(FieldName("msgid, parent, name", 2), "name");
}

TEST(CodecTest, DescribeNamesEveryField) {
  const uint8_t data[3] = {};
  EXPECT_EQ(Describe(CltomaLookup{
                .msgid = 7, .parent = 1, .name = "etc", .creds = {.uid = 5, .groups = {1, 2}}}),
            "CLTOMA_LOOKUP{msgid=7, parent=1, name=\"etc\", creds={uid=5, gid=0, groups=[1, 2]}}");
  EXPECT_EQ(Describe(CltomaSetattr{.msgid = 1, .mode = 0644}),
            "CLTOMA_SETATTR{msgid=1, inode=0, creds={uid=0, gid=0, groups=[]}, mode=420, "
            "uid=none, gid=none, atime=none, mtime=none, length=none, flags=0}");
  EXPECT_EQ(Describe(CstoclReadData{.chunkid = 2, .data = Bytes(data)}),
            "CSTOCL_READ_DATA{chunkid=2, block=0, offset=0, crc=0, data=<3 bytes>}");
  EXPECT_EQ(Describe(AntoanNop{}), "ANTOAN_NOP{}");
}

TEST(CodecTest, DiskReportLayoutAndRoundTrip) {
  CstomaDisks m{.disks = {{.path = "/d",
                           .state = DiskState::kMarkedForRemoval,
                           .used_space = 5,
                           .total_space = 0x100000000ull,
                           .chunk_count = 3,
                           .errors = 1,
                           .last_error = "io",
                           .last_error_time = 0x01020304,
                           .scrub_on = true,
                           .scrub_done = 2,
                           .scrub_total = 3,
                           .bytes_read = 0x0102030405060708ull,
                           .bytes_written = 65536}}};
  const std::vector<uint8_t> expected = {
      0, 0, 0, 1,                  // one disk
      0, 0, 0, 2, '/', 'd',        // path
      2,                           // state: marked for removal
      0, 0, 0, 0, 0,   0,   0, 5,  // used
      0, 0, 0, 1, 0,   0,   0, 0,  // total
      0, 0, 0, 3,                  // chunks
      0, 0, 0, 1,                  // errors
      0, 0, 0, 2, 'i', 'o',        // last error
      1, 2, 3, 4,                  // its time
      1,                           // scrub on
      0, 0, 0, 2, 0,   0,   0, 3,  // scrub done of total
      1, 2, 3, 4, 5,   6,   7, 8,  // bytes read
      0, 0, 0, 0, 0,   1,   0, 0,  // bytes written
  };
  auto payload = EncodePayload(m);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*payload, expected);
  auto back = Decode<CstomaDisks>(expected);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(FieldsEqual(*back, m));

  std::vector<uint8_t> bad = expected;
  bad[10] = 4;  // no such disk state
  EXPECT_FALSE(Decode<CstomaDisks>(bad).ok());
  EXPECT_GE(MaxPayload(CSTOMA_DISKS), 64 * (4096 + 256 + 64));  // 64 disks of long paths fit
}

}  // namespace
}  // namespace elk::protocol
