// The real mfsmaster through the cluster harness: it starts, serves a client, stops
// cleanly and starts again with the namespace kept.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "master/server/test_peers.h"
#include "tests/harness/cluster.h"

namespace elk::master {
namespace {

namespace proto = protocol;

TEST(MfsmasterProgram, KeepsAFileAcrossARestart) {
  auto cluster = elk::test::Cluster::Start({.chunkservers = 0});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto& c = **cluster;
  {
    test::TestClient client;
    ASSERT_TRUE(client.Hello(c.client_port()).ok());
    auto reg = client.Register("/");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    auto f = client.Call<proto::MatoclCreate>(proto::CltomaCreate{0, 1, "kept", 0644, 022, {}});
    ASSERT_TRUE(f.ok()) << f.status().ToString();
  }
  EXPECT_EQ(c.StopMaster(), 0);
  ASSERT_TRUE(c.StartMaster().ok()) << "log: " << c.log("master");
  test::TestClient client;
  ASSERT_TRUE(client.Hello(c.client_port()).ok());
  ASSERT_TRUE(client.Register("/").ok());
  auto look = client.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "kept", {}});
  EXPECT_TRUE(look.ok()) << look.status().ToString();
}

// kill -9: every acknowledged mutation is in the changelog; -a replays it.
TEST(MfsmasterProgram, AutoRecoveryAfterAKill) {
  auto cluster = elk::test::Cluster::Start({.chunkservers = 0});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto& c = **cluster;
  {
    test::TestClient client;
    ASSERT_TRUE(client.Hello(c.client_port()).ok());
    ASSERT_TRUE(client.Register("/").ok());
    for (int i = 0; i < 20; i++) {
      auto f = client.Call<proto::MatoclCreate>(
          proto::CltomaCreate{0, 1, "f" + std::to_string(i), 0644, 022, {}});
      ASSERT_TRUE(f.ok()) << f.status().ToString();
    }
  }
  c.KillMaster();
  ASSERT_TRUE(c.StartMaster(/*auto_recover=*/true).ok()) << "log: " << c.log("master");
  test::TestClient client;
  ASSERT_TRUE(client.Hello(c.client_port()).ok());
  ASSERT_TRUE(client.Register("/").ok());
  for (int i = 0; i < 20; i++) {
    auto look =
        client.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "f" + std::to_string(i), {}});
    EXPECT_TRUE(look.ok()) << "f" << i << ": " << look.status().ToString();
  }
}

// With a real chunkserver: a write-chunk request gets a chain. (Both programs are built with
// the tests; a missing one fails the test loudly through Cluster::Start.)
TEST(MfsmasterProgram, WriteChunkWithARealChunkserver) {
  auto cluster = elk::test::Cluster::Start({.chunkservers = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  auto& c = **cluster;
  test::TestClient client;
  ASSERT_TRUE(client.Hello(c.client_port()).ok());
  ASSERT_TRUE(client.Register("/").ok());
  auto f = client.Call<proto::MatoclCreate>(
      proto::CltomaCreate{0, 1, "data", 0644, 022, {}, /*open=*/1});  // writable for the session
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(client
                  .Call<proto::MatoclSetgoal>(
                      proto::CltomaSetgoal{0, f->attr.inode, 1, proto::SetMode::kSet, false, {}})
                  .ok());
  // The chunkserver registers asynchronously: retry until it is there.
  Result<proto::MatoclWriteChunk> w = Status(Code::kNotStarted);
  for (int i = 0; i < 100 && w.code() == Code::kNotStarted; i++) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    w = client.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, f->attr.inode, 0});
  }
  ASSERT_TRUE(w.ok()) << w.status().ToString() << " log: " << c.log("master");
  ASSERT_EQ(w->location.copies.size(), 1u);
  EXPECT_EQ(w->location.copies[0].port, c.chunkserver_port(0));
  EXPECT_TRUE(client.Do(proto::CltomaWriteChunkEnd{0, w->location.chunkid, f->attr.inode, 0}).ok());
}

}  // namespace
}  // namespace elk::master
