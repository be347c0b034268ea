#include "common/protocol/hello.h"

#include <gtest/gtest.h>

#include "common/protocol/codec.h"

namespace elk::protocol {
namespace {

TEST(HelloTest, MatchingHelloIsAccepted) {
  AntoanHello peer = MakeHello(Role::kChunkserver, "0.1.0");
  EXPECT_EQ(peer.protocol_version, kProtocolVersion);
  EXPECT_TRUE(CheckHello(peer, {Role::kChunkserver}).ok());
  EXPECT_TRUE(CheckHello(peer, {Role::kClient, Role::kChunkserver}).ok());
}

TEST(HelloTest, VersionMismatchSaysBothVersions) {
  AntoanHello peer{.protocol_version = 3, .role = Role::kClient, .software_version = "0.0.9"};
  Status s = CheckHello(peer, {Role::kClient}, 4);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kProtocol);
  EXPECT_EQ(s.message(), "peer speaks protocol 3, we speak 4 (peer is a client 0.0.9)");
}

TEST(HelloTest, UnexpectedRoleIsNamed) {
  AntoanHello peer = MakeHello(Role::kClient, "0.1.0");
  Status s = CheckHello(peer, {Role::kChunkserver, Role::kTool});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "peer is a client (0.1.0), expected a chunkserver or a tool");
}

TEST(HelloTest, HelloSurvivesTheWire) {
  auto payload = EncodePayload(MakeHello(Role::kIscsiTarget, "elkfs 0.1.0"));
  ASSERT_TRUE(payload.ok());
  auto back = Decode<AntoanHello>(*payload);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(CheckHello(*back, {Role::kIscsiTarget}).ok());
  EXPECT_EQ(back->software_version, "elkfs 0.1.0");
}

TEST(HelloTest, RoleNames) {
  EXPECT_EQ(RoleName(Role::kMaster), "master");
  EXPECT_EQ(RoleName(Role::kMetalogger), "metalogger");
  EXPECT_EQ(RoleName(Role::kIscsiTarget), "iscsi target");
  EXPECT_EQ(RoleName(Role::kUnknown), "unknown");
}

}  // namespace
}  // namespace elk::protocol
