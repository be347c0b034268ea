// The id table: complete, consistent with the message structs, and in the right ranges.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "common/protocol/codec.h"
#include "common/protocol/messages.h"

namespace elk::protocol {
namespace {

TEST(MessageTypesTest, NopIsTypeZeroWithEmptyPayload) {
  EXPECT_EQ(ANTOAN_NOP, 0u);
  EXPECT_TRUE(KnownType(ANTOAN_NOP));
  EXPECT_EQ(MaxPayload(ANTOAN_NOP), 0u);
  auto frame = EncodeFrame(AntoanNop{});
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(*frame, std::vector<uint8_t>(8, 0));
}

TEST(MessageTypesTest, ALinkAcceptsOnlyItsPeersTypesEachUpToItsOwnLimit) {
  // The master's client port: every client request within its size class, a few KiB at
  // most but for SETXATTR's value and a resumed session's accounts of its open files and
  // its locks (sent once per connection, before any other request); nothing of another direction,
  // whatever its limit.
  uint32_t largest = 0;
  for (const MessageTypeInfo& info : kMessageTypes) {
    const uint32_t on_client_port = MaxPayloadFrom(info.type, 1000, 1999);
    if (info.type >= 1000 && info.type <= 1999) {
      EXPECT_EQ(on_client_port, info.max_payload) << info.name;
      if (info.type != CLTOMA_SESSION_OPENS && info.type != CLTOMA_LOCKS_RECLAIM)
        largest = std::max(largest, on_client_port);
    } else if (info.type >= 100) {
      EXPECT_EQ(on_client_port, 0u) << info.name;
    }
  }
  EXPECT_EQ(largest, kBlockData);
  EXPECT_EQ(MaxPayloadFrom(CLTOMA_SESSION_OPENS, 1000, 1999), kMedium);
  EXPECT_EQ(MaxPayloadFrom(CLTOMA_LOCKS_RECLAIM, 1000, 1999), kMedium);
  EXPECT_EQ(MaxPayloadFrom(MATOCL_READDIR, 1000, 1999), 0u);
  EXPECT_EQ(MaxPayloadFrom(CSTOMA_REGISTER_CHUNKS, 1000, 1999), 0u);
  EXPECT_EQ(MaxPayloadFrom(CSTOMA_REGISTER_CHUNKS, 3000, 3999), kBulk);
  EXPECT_EQ(MaxPayloadFrom(ANTOAN_HELLO, 8000, 8999), MaxPayload(ANTOAN_HELLO));
}

TEST(MessageTypesTest, EveryTableIdHasExactlyOneMessageAndBack) {
  std::map<uint32_t, int> structs_per_id;
  AllMessages::ForEach([&]<typename M>(std::type_identity<M>) { ++structs_per_id[M::kType]; });
  for (const MessageTypeInfo& info : kMessageTypes) {
    EXPECT_EQ(structs_per_id[info.type], 1) << info.name;
  }
  EXPECT_EQ(structs_per_id.size(), std::size(kMessageTypes));
  EXPECT_EQ(AllMessages::kSize, std::size(kMessageTypes));
}

TEST(MessageTypesTest, IdsAreUniqueAndInTheirLinksRange) {
  const std::map<std::string, std::pair<uint32_t, uint32_t>> ranges = {
      {"ANTOAN", {0, 99}},      {"CLTOMA", {1000, 1999}}, {"MATOCL", {2000, 2999}},
      {"CSTOMA", {3000, 3999}}, {"MATOCS", {4000, 4999}}, {"CLTOCS", {5000, 5999}},
      {"CSTOCL", {6000, 6999}}, {"CSTOCS", {7000, 7999}}, {"MLTOMA", {8000, 8999}},
      {"MATOML", {9000, 9999}},
  };
  std::set<uint32_t> seen;
  std::set<std::string_view> names;
  for (const MessageTypeInfo& info : kMessageTypes) {
    EXPECT_TRUE(seen.insert(info.type).second) << "duplicate id " << info.type;
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    auto range = ranges.find(std::string(info.name.substr(0, 6)));
    ASSERT_NE(range, ranges.end()) << info.name;
    EXPECT_GE(info.type, range->second.first) << info.name;
    EXPECT_LE(info.type, range->second.second) << info.name;
    EXPECT_EQ(info.name[6], '_') << info.name;
  }
}

TEST(MessageTypesTest, WalkingEveryIdGivesAKnownLimitOrRefusal) {
  size_t known = 0;
  for (uint32_t id = 0; id < 20000; ++id) {
    const MessageTypeInfo* info = FindMessageType(id);
    EXPECT_EQ(KnownType(id), info != nullptr) << id;
    if (info == nullptr) {
      EXPECT_EQ(MaxPayload(id), 0u) << id;
      EXPECT_EQ(TypeName(id), "UNKNOWN");
      continue;
    }
    ++known;
    EXPECT_EQ(info->type, id);
    EXPECT_LE(info->max_payload, kAbsoluteMaxPayload) << info->name;
    if (id != ANTOAN_NOP) {
      EXPECT_GT(info->max_payload, 0u) << info->name;
    }
  }
  EXPECT_EQ(known, std::size(kMessageTypes));
  EXPECT_EQ(MaxPayload(0xFFFFFFFFu), 0u);
}

TEST(MessageTypesTest, EveryMessagesSmallestFormFitsItsLimit) {
  AllMessages::ForEach([]<typename M>(std::type_identity<M>) {
    EXPECT_LE(MinEncodedSize<M>(), MaxPayload(M::kType)) << TypeName(M::kType);
  });
}

TEST(MessageTypesTest, DataFramesCarryAWholeBlock) {
  for (uint32_t id : {CLTOCS_WRITE_DATA, CSTOCL_READ_DATA, CSTOCS_READ_DATA}) {
    EXPECT_GE(MaxPayload(id), (64u << 10) + 24) << TypeName(id);
  }
}

}  // namespace
}  // namespace elk::protocol
