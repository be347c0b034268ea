// The chunkserver side alone (no Metadata): registration into the registry, command
// replies reaching a waiting write, disconnection.
#include "master/server/chunkserver_link.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/net/listener.h"
#include "common/net/loop_thread.h"
#include "master/server/chunk_loop.h"
#include "master/server/chunk_writes.h"
#include "master/server/test_peers.h"

namespace elk::master {
namespace {

using namespace std::chrono_literals;
namespace proto = protocol;

uint32_t Clock() {
  return 1000;
}

class ChunkserverLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(io_.Start().ok());
    port_ = io_.Call([this] {
      writes_ = std::make_unique<ChunkWrites>(io_.loop(), registry_, 2000ms);
      hub_ = std::make_unique<ChunkserverHub>(io_.loop(), registry_, *writes_, &Clock,
                                              ChunkserverLinkOptions{});
      writes_->set_hub(hub_.get());
      auto l = net::Listener::Create(
          io_.loop(), {net::kLoopbackIp, 0},
          [this](net::UniqueFd fd, net::Address peer) { hub_->Accept(std::move(fd), peer); });
      EXPECT_TRUE(l.ok());
      listener_ = std::move(*l);
      return listener_->port();
    });
  }
  void TearDown() override {
    io_.Call([this] {
      listener_.reset();
      hub_.reset();
      writes_.reset();
    });
    io_.Stop();
  }
  // Waits until pred() (run on the loop) holds.
  template <typename Pred>
  bool Eventually(Pred pred) {
    for (int i = 0; i < 200; i++) {
      if (io_.Call(pred)) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  net::LoopThread io_;
  ChunkRegistry registry_;
  std::unique_ptr<ChunkWrites> writes_;
  std::unique_ptr<ChunkserverHub> hub_;
  std::unique_ptr<net::Listener> listener_;
  uint16_t port_ = 0;
};

TEST_F(ChunkserverLinkTest, RegistersWithChunksAndDisconnects) {
  io_.Call([this] {
    ASSERT_TRUE(registry_.ApplyCreate(5, 1).ok());
    ASSERT_TRUE(registry_.ApplyCreate(6, 1).ok());
  });
  test::FakeChunkserver cs;
  auto id = cs.Register(port_, 9422, {{5, 1}, {6, 1}, {77, 3}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1u);
  EXPECT_TRUE(Eventually([this] { return registry_.servers().connected_count() == 1; }));
  auto copies = io_.Call([this] { return registry_.Find(5)->copies().size(); });
  EXPECT_EQ(copies, 1u);
  // The unknown chunk 77 is an orphan to delete.
  EXPECT_EQ(io_.Call([this] { return registry_.orphans().size(); }), 1u);
  cs.Close();
  EXPECT_TRUE(Eventually([this] { return registry_.servers().connected_count() == 0; }));
  EXPECT_TRUE(Eventually([this] { return hub_->size() == 0; }));
}

TEST_F(ChunkserverLinkTest, WriteWaitsForCreateReplies) {
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(port_, 9422, {}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->Find(1) != nullptr; }));
  std::promise<Result<proto::ChunkLocation>> result;
  io_.Call([&] {
    auto nc = registry_.CreateChunk(1, Clock(), 7);
    ASSERT_TRUE(nc.ok()) << nc.status().ToString();
    ChunkWriteOrder order{nc->id, nc->version, 0, 0, true, nc->servers, 7, 0};
    writes_->Start(order, [&](Result<proto::ChunkLocation> r) { result.set_value(std::move(r)); });
  });
  auto future = result.get_future();
  EXPECT_EQ(future.wait_for(100ms), std::future_status::timeout);  // waits for the server
  auto chunk = cs.AnswerCreate();
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  auto loc = future.get();
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  EXPECT_EQ(loc->chunkid, *chunk);
  ASSERT_EQ(loc->copies.size(), 1u);
  EXPECT_EQ(loc->copies[0].port, 9422);
  EXPECT_EQ(io_.Call([&] { return registry_.ReadLocations(*chunk).ok(); }), true);
}

TEST_F(ChunkserverLinkTest, WriteFailsWhenTheServerGoes) {
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(port_, 9422, {}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->Find(1) != nullptr; }));
  std::promise<Result<proto::ChunkLocation>> result;
  io_.Call([&] {
    auto nc = registry_.CreateChunk(1, Clock(), 7);
    ASSERT_TRUE(nc.ok());
    ChunkWriteOrder order{nc->id, nc->version, 0, 0, true, nc->servers, 7, 0};
    writes_->Start(order, [&](Result<proto::ChunkLocation> r) { result.set_value(std::move(r)); });
  });
  ASSERT_TRUE(cs.Receive<proto::MatocsCreateChunk>().ok());
  cs.Close();
  auto loc = result.get_future().get();
  EXPECT_EQ(loc.code(), Code::kNoChunkServers);
}

TEST_F(ChunkserverLinkTest, ChunkLoopDeletesAnOrphanCopy) {
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(port_, 9422, {{77, 3}}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->Find(1) != nullptr; }));
  replication::Config config;
  config.replications_delay_init = 0;
  size_t sent = io_.Call([&] {
    ChunkLoop loop(io_.loop(), registry_, *hub_, config, &Clock);
    return loop.Tick();
  });
  EXPECT_EQ(sent, 1u);
  auto del = cs.Receive<proto::MatocsDeleteChunk>();
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->chunkid, 77u);
}

TEST(DiskIoTest, AddsWhatTheCountersMovedByNeverANegativeMove) {
  ChunkserverTotals t;
  const std::vector<proto::DiskReport> before = {
      {.path = "/a", .bytes_read = 100, .bytes_written = 1000},
      {.path = "/b", .bytes_read = 50, .bytes_written = 5}};
  AddDiskIo(before,
            {{.path = "/a", .bytes_read = 150, .bytes_written = 1000},
             {.path = "/b", .bytes_read = 20, .bytes_written = 9},  // read restarted: 20 since
             {.path = "/c", .bytes_read = 7, .bytes_written = 3}},  // a disk added: from zero
            t);
  EXPECT_EQ(t.bytes_read, 50u + 20u + 7u);
  EXPECT_EQ(t.bytes_written, 0u + 4u + 3u);
  AddDiskIo(before, {}, t);  // a disk gone takes nothing back
  EXPECT_EQ(t.bytes_read, 77u);
}

// The link adds its disks' moves to the hub's totals from the second report on (the first
// is the baseline), keeps them when the server goes, and counts the loop's deletions.
TEST_F(ChunkserverLinkTest, TotalsSumDiskCountersAndDeletionsAcrossDisconnects) {
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(port_, 9422, {{77, 3}}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->Find(1) != nullptr; }));
  auto disks = [](uint64_t read, uint64_t written) {
    return proto::CstomaDisks{
        .disks = {{.path = "/d", .bytes_read = read, .bytes_written = written}}};
  };
  ASSERT_TRUE(cs.Send(disks(1 << 20, 5 << 20)).ok());  // a past: not a burst
  ASSERT_TRUE(cs.Send(disks(3 << 20, 6 << 20)).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->totals().bytes_read == 2u << 20; }));
  EXPECT_EQ(io_.Call([this] { return hub_->totals().bytes_written; }), 1u << 20);

  replication::Config config;
  config.replications_delay_init = 0;
  io_.Call([&] {
    ChunkLoop loop(io_.loop(), registry_, *hub_, config, &Clock);
    return loop.Tick();
  });
  auto del = cs.Receive<proto::MatocsDeleteChunk>();
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  ASSERT_TRUE(cs.Send(proto::CstomaDeleteChunk{del->chunkid, Code::kOk}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->totals().deletions == 1; }));
  EXPECT_EQ(io_.Call([this] { return hub_->totals().replications; }), 0u);

  cs.Close();
  ASSERT_TRUE(Eventually([this] { return hub_->size() == 0; }));
  // The server restarts: its counters begin again, the totals keep what was counted.
  test::FakeChunkserver again;
  auto id = again.Register(port_, 9422, {});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(Eventually([&] { return hub_->Find(*id) != nullptr; }));
  ASSERT_TRUE(again.Send(disks(100, 0)).ok());
  ASSERT_TRUE(again.Send(disks(400, 0)).ok());
  EXPECT_TRUE(Eventually([this] { return hub_->totals().bytes_read == (2u << 20) + 300; }));
  EXPECT_EQ(io_.Call([this] { return hub_->totals().bytes_written; }), 1u << 20);
}

// One server, goal 2: the chunk stays under goal. The catch-up line says so, and is not
// repeated every 10 s while nothing moves.
TEST_F(ChunkserverLinkTest, ChunkLoopLogsCatchUpAndQuietsAStuckOne) {
  io_.Call([this] { ASSERT_TRUE(registry_.ApplyCreate(5, 2).ok()); });
  const uint32_t version = io_.Call([this] { return registry_.Find(5)->version(); });
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(port_, 9422, {{5, version}}).ok());
  ASSERT_TRUE(Eventually([this] { return hub_->Find(1) != nullptr; }));
  uint32_t now = 5000;
  std::vector<std::string> lines = io_.Call([&] {
    ChunkLoop loop(io_.loop(), registry_, *hub_, replication::Config{}, [&now] { return now; });
    std::vector<std::string> out;
    out.push_back(loop.ReportProgress());
    now += 10;
    out.push_back(loop.ReportProgress());  // unchanged: quiet
    now += 300;
    out.push_back(loop.ReportProgress());  // unchanged, but 5 minutes on
    EXPECT_TRUE(loop.catch_up().active());
    EXPECT_EQ(loop.under_goal().undergoal, 1u);
    return out;
  });
  const std::string expected = "replication: 0 of 1 under-goal chunks done (0%), 0 in flight";
  EXPECT_EQ(lines, (std::vector<std::string>{expected, "", expected}));
}

TEST_F(ChunkserverLinkTest, RefusesAClientHello) {
  test::Peer peer;
  ASSERT_TRUE(peer.Connect(port_, proto::Role::kClient).ok());
  auto st = peer.Receive<proto::AntoanStatus>();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->status, Code::kProtocol);
}

}  // namespace
}  // namespace elk::master
