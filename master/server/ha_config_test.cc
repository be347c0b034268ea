// mfsmaster.cfg's high-availability keys: defaults (no HA), values, and refused lists.
#include <gtest/gtest.h>

#include "common/cfg/config_file.h"
#include "common/daemon/process_setup.h"
#include "master/server/config.h"

namespace elk::master {
namespace {

Result<MasterConfig> Load(const std::string& text) {
  cfg::Schema keys = MasterKeys();
  keys.Merge(daemon::CommonDaemonKeys("mfsmaster"));
  cfg::ConfigFile file(keys);
  Status loaded = file.LoadString("DATA_PATH = /tmp\n" + text);
  if (!loaded.ok()) return loaded;
  return MasterConfigFrom(file);
}

TEST(HaConfigTest, DefaultsAreNoHa) {
  auto c = Load("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->ha.enabled());
  EXPECT_EQ(c->ha.etcd_prefix, "/elkfs/");
  EXPECT_EQ(c->ha.lease_ttl, 5u);
  EXPECT_EQ(c->ha.node_id, "");
}

TEST(HaConfigTest, ReadsEveryKey) {
  auto c = Load(
      "ETCD_ENDPOINTS = http://10.0.0.1:2379, http://10.0.0.2:2379\n"
      "ETCD_PREFIX = /fs1/\nMASTER_LEASE_TTL = 10s\nMASTER_NODE_ID = m2\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ha.enabled());
  EXPECT_EQ(c->ha.etcd_endpoints, "http://10.0.0.1:2379, http://10.0.0.2:2379");
  EXPECT_EQ(c->ha.etcd_prefix, "/fs1/");
  EXPECT_EQ(c->ha.lease_ttl, 10u);
  EXPECT_EQ(c->ha.node_id, "m2");
}

TEST(HaConfigTest, RefusesWhatCannotWork) {
  EXPECT_EQ(Load("ETCD_ENDPOINTS = 10.0.0.1:2379\n").code(), Code::kBadConfig);
  EXPECT_EQ(Load("ETCD_ENDPOINTS = https://10.0.0.1:2379\n").code(), Code::kBadConfig);
  EXPECT_EQ(Load("ETCD_ENDPOINTS = http://a:1\nETCD_PREFIX =\n").code(), Code::kBadConfig);
  // A line without '=' naming an HA key would leave the master running alone next to the
  // elected one: refused, not skipped.
  EXPECT_EQ(Load("ETCD_ENDPOINTS http://a:1\n").code(), Code::kBadConfig);
}

// Two sources for the role: refused, naming the file.
TEST(HaConfigTest, RefusesMasterFollowWithAnElection) {
  auto c = Load("ETCD_ENDPOINTS = http://a:1\nMASTER_FOLLOW = 127.0.0.1:9419\n");
  EXPECT_EQ(c.code(), Code::kBadConfig);
  EXPECT_NE(c.status().message().find("mfsmaster.cfg"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("MASTER_FOLLOW"), std::string::npos);
  EXPECT_TRUE(Load("MASTER_FOLLOW = 127.0.0.1:9419\n").ok());
}

TEST(HaConfigTest, AnOutOfRangeTtlIsSkippedLikeAnyBadLine) {
  auto c = Load("MASTER_LEASE_TTL = 0\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ha.lease_ttl, 5u);
}

}  // namespace
}  // namespace elk::master
