// The election's pure rules: endpoint lists, the lease deadline, the campaign delay, the
// leader key's value.
#include <gtest/gtest.h>

#include "master/ha/campaign_delay.h"
#include "master/ha/election.h"
#include "master/ha/etcd_transport.h"
#include "master/ha/lease_deadline.h"

namespace elk::master::ha {
namespace {

using namespace std::chrono_literals;

TEST(EndpointsTest, ParsesACommaSeparatedList) {
  auto e = ParseEndpoints(" http://127.0.0.1:2379 ,http://etcd-b:22379/");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].host, "127.0.0.1");
  EXPECT_EQ((*e)[0].port, 2379);
  EXPECT_EQ((*e)[1].ToString(), "http://etcd-b:22379");
  auto none = ParseEndpoints("  ");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(EndpointsTest, RefusesWhatItCannotReach) {
  EXPECT_EQ(ParseEndpoints("https://a:2379").code(), Code::kNotSupported);
  for (const char* bad : {"a:2379", "http://a", "http://a:0", "http://a:70000", "http://:1",
                          "http://a:2379/v3", "http://a:1x", "http://a:1,"}) {
    EXPECT_EQ(ParseEndpoints(bad).code(), Code::kBadConfig) << bad;
  }
}

TEST(LeaseDeadlineTest, EndsAMarginBeforeSentPlusTtl) {
  LeaseDeadline d(500ms);
  Clock::time_point sent = Clock::now();
  EXPECT_FALSE(d.Held(sent));
  d.Renewed(sent, 5s);
  EXPECT_TRUE(d.Held(sent + 4499ms));
  EXPECT_FALSE(d.Held(sent + 4500ms));
  EXPECT_EQ(d.deadline(), sent + 4500ms);
}

TEST(LeaseDeadlineTest, NeverMovesBackAndClears) {
  LeaseDeadline d(0ms);
  Clock::time_point t = Clock::now();
  d.Renewed(t + 1s, 5s);
  d.Renewed(t, 5s);  // an older keep-alive's answer arriving late
  EXPECT_TRUE(d.Held(t + 5500ms));
  d.Clear();
  EXPECT_FALSE(d.Held(t));
  EXPECT_EQ(d.deadline(), Clock::time_point::min());
}

TEST(CampaignDelayTest, GrowsWithLagUpToTheCap) {
  LagRule rule{.per_version = 2ms, .max = 1000ms};
  EXPECT_EQ(CampaignDelay(0, rule), 0ms);
  EXPECT_EQ(CampaignDelay(10, rule), 20ms);
  EXPECT_EQ(CampaignDelay(499, rule), 998ms);
  EXPECT_EQ(CampaignDelay(500, rule), 1000ms);
  EXPECT_EQ(CampaignDelay(UINT64_MAX, rule), 1000ms);
  EXPECT_EQ(CampaignDelay(7, LagRule{.per_version = 0ms, .max = 1000ms}), 0ms);
}

TEST(HeldMetadataTest, ATermOutranksAnyLengthAndAVersionWithinTheTerm) {
  EXPECT_TRUE(Newer({5, 100}, {4, 1000}));  // a newer leader's copy, however short
  EXPECT_TRUE(Newer({5, 101}, {5, 100}));   // more of the same term
  EXPECT_FALSE(Newer({5, 100}, {5, 100}));  // the same: either may lead
  EXPECT_FALSE(Newer({0, 9000}, {1, 10}));  // files of unknown history are behind
  EXPECT_EQ(ParseHeld(HeldValue({7, 123456789012})), (HeldMetadata{7, 123456789012}));
  EXPECT_EQ(ParseHeld("7"), std::nullopt);
  EXPECT_EQ(ParseHeld("7 x"), std::nullopt);
  EXPECT_EQ(ParseHeld(" 7 1"), std::nullopt);
  EXPECT_EQ(ParseHeld("7 1 "), std::nullopt);
  EXPECT_EQ(ParseHeld("-1 5"), std::nullopt);
}

TEST(LeaderValueTest, NamesTheNodeAndItsAddress) {
  KeyValue kv{"/elkfs/leader", LeaderValue("m1", "10.0.0.1:9421"), 42, 42, 7};
  RoleChange c = FollowerOf(kv);
  EXPECT_EQ(c.role, Role::kFollower);
  EXPECT_EQ(c.epoch, 42);
  EXPECT_EQ(c.leader_id, "m1");
  EXPECT_EQ(c.leader_address, "10.0.0.1:9421");
  EXPECT_EQ(c.leader_follow, "");  // a value from before "follow": followers must ask elsewhere
  kv.value = "\x01not json";
  c = FollowerOf(kv);
  EXPECT_EQ(c.epoch, 42);
  EXPECT_EQ(c.leader_id, "");
}

TEST(LeaderValueTest, CarriesTheFollowAddress) {
  const std::string value = LeaderValue("m2", "10.0.0.2:9421", "10.0.0.2:9419");
  EXPECT_NE(value.find("\"follow\":\"10.0.0.2:9419\""), std::string::npos) << value;
  RoleChange c = FollowerOf(KeyValue{"/elkfs/leader", value, 43, 43, 8});
  EXPECT_EQ(c.leader_id, "m2");
  EXPECT_EQ(c.leader_address, "10.0.0.2:9421");
  EXPECT_EQ(c.leader_follow, "10.0.0.2:9419");
  EXPECT_EQ(LeaderValue("m1", "a:1").find("follow"), std::string::npos);
  // Unknown fields (a newer writer) and a mistyped one are ignored.
  c = FollowerOf(KeyValue{"/elkfs/leader", R"({"node":"m3","address":"h:1","follow":7,"zone":"b"})",
                          44, 44, 9});
  EXPECT_EQ(c.leader_address, "h:1");
  EXPECT_EQ(c.leader_follow, "");
}

TEST(ElectionTest, RefusesIncompleteOptions) {
  auto client = [] { return std::make_unique<EtcdClient>(nullptr); };
  EXPECT_EQ(Election::Start(client(), {.node_id = "", .address = "a:1"}, {}).code(), Code::kInval);
  EXPECT_EQ(Election::Start(client(), {.node_id = "m", .address = ""}, {}).code(), Code::kInval);
  EXPECT_EQ(
      Election::Start(client(), {.node_id = "m", .address = "a:1", .lease_ttl = 0s}, {}).code(),
      Code::kInval);
}

}  // namespace
}  // namespace elk::master::ha
