// CLTOCS_WRITE_SYNC down a write chain: every server fdatasyncs the chunk file after the
// writes it acknowledged, the answer comes back once all have, and a failed sync is reported
// (to the writer, naming the server, and to the master, as a damaged copy).
#include <gtest/gtest.h>

#include <set>

#include "chunkserver/server/chunk_ops.h"
#include "chunkserver/server/chunk_server.h"
#include "chunkserver/server/test_harness.h"
#include "chunkserver/storage/fault_disk_io.h"

namespace elk::chunkserver {
namespace {

using namespace testing;  // NOLINT
using chunkstore::FaultOp;
using elk::kBlockSize;

class WriteSyncTest : public ::testing::Test {
 protected:
  struct Node {
    std::unique_ptr<chunkstore::DiskIo> posix = chunkstore::NewPosixDiskIo();
    chunkstore::FaultDiskIo io{*posix};
    TestServer ts;
  };
  void SetUp() override { ASSERT_TRUE(loop_.Start().ok()); }
  void TearDown() override {
    loop_.Call([this] {
      for (auto& n : nodes_)
        n->ts.server.reset();
    });
    master_.reset();
    loop_.Stop();
  }
  Node& NewNode(uint16_t master_port = 0) {
    nodes_.push_back(std::make_unique<Node>());
    Node& n = *nodes_.back();
    ServerConfig config = BaseConfig(n.ts.dir.path(), master_port);
    config.disk_io = &n.io;
    loop_.Call([&] {
      auto s = ChunkServer::Create(loop_.loop(), config);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      n.ts.server = std::move(*s);
      n.ts.port = n.ts.server->port();
    });
    return n;
  }
  void Create(Node& n, ChunkName name) {
    ASSERT_TRUE(loop_.Call([&] { return CreateChunk(n.ts.server->disks(), name); }).ok());
  }
  // Writes `blocks` whole blocks (ids 1..blocks) down the chain from `head` and waits for
  // every acknowledgment.
  void WriteBlocks(DataClient& c, ChunkName name, const std::vector<proto::ServerAddr>& chain,
                   uint16_t blocks) {
    c.Send(proto::CltocsWriteInit{.chunkid = name.id, .version = name.version, .chain = chain});
    auto init = c.WriteStatus();
    ASSERT_TRUE(init);
    ASSERT_EQ(init->status, Code::kOk);
    for (uint16_t b = 0; b < blocks; ++b)
      c.WriteData(name.id, b + 1u, b, 0, RandomBytes(kBlockSize, b));
    for (uint16_t b = 0; b < blocks; ++b) {
      auto st = c.WriteStatus();
      ASSERT_TRUE(st);
      ASSERT_EQ(st->status, Code::kOk);
    }
  }

  net::LoopThread loop_;
  std::unique_ptr<FakeMaster> master_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(WriteSyncTest, ASyncIsAnsweredOnceEveryServerOfTheChainHasSynced) {
  Node& a = NewNode();
  Node& b = NewNode();
  Node& c3 = NewNode();
  const ChunkName name{0x51, 1};
  for (Node* n : {&a, &b, &c3})
    Create(*n, name);
  std::vector<uint64_t> before;
  for (Node* n : {&a, &b, &c3})
    before.push_back(n->io.Calls(FaultOp::kSync));

  DataClient c = DataClient::Connect(a.ts.port);
  WriteBlocks(c, name, {Loopback(b.ts.port), Loopback(c3.ts.port)}, 4);
  // Plain writes sync nothing: they stay as fast as they were.
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(nodes_[i]->io.Calls(FaultOp::kSync), before[i]) << "server " << i;

  c.Send(proto::CltocsWriteSync{.chunkid = name.id, .write_id = 5});
  auto st = c.WriteStatus();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->write_id, 5u);
  EXPECT_EQ(st->status, Code::kOk);
  // Acknowledged: each of the three has fdatasynced the chunk file by now.
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(nodes_[i]->io.Calls(FaultOp::kSync), before[i] + 1) << "server " << i;

  // The session goes on after a sync: more data, another sync.
  c.WriteData(name.id, 6, 4, 0, RandomBytes(kBlockSize, 40));
  c.Send(proto::CltocsWriteSync{.chunkid = name.id, .write_id = 7});
  std::set<uint32_t> ok;
  for (int i = 0; i < 2; ++i) {
    auto s = c.WriteStatus();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, Code::kOk);
    ok.insert(s->write_id);
  }
  EXPECT_EQ(ok, (std::set<uint32_t>{6, 7}));
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(nodes_[i]->io.Calls(FaultOp::kSync), before[i] + 2) << "server " << i;
  c.Send(proto::CltocsWriteEnd{.chunkid = name.id});
}

TEST_F(WriteSyncTest, AFailedSyncDownTheChainNamesTheServerAndItReportsTheCopyDamaged) {
  master_ = std::make_unique<FakeMaster>(loop_);
  const uint16_t master_port = master_->Start();
  Node& a = NewNode();
  Node& b = NewNode(master_port);
  ASSERT_TRUE(master_->WaitFor(proto::CSTOMA_REGISTER_DONE));
  const ChunkName name{0x52, 1};
  Create(a, name);
  Create(b, name);
  DataClient c = DataClient::Connect(a.ts.port);
  WriteBlocks(c, name, {Loopback(b.ts.port)}, 2);

  b.io.Inject({.op = FaultOp::kSync, .error = EIO, .times = 1});
  c.Send(proto::CltocsWriteSync{.chunkid = name.id, .write_id = 3});
  auto st = c.WriteStatus();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->write_id, 3u);
  EXPECT_EQ(st->status, Code::kIo);
  EXPECT_EQ(st->server.port, b.ts.port);
  // A copy whose fdatasync failed cannot be trusted (a second one may lie): the master hears
  // it is damaged, and copies the chunk from another server.
  auto damaged = master_->WaitMsg<proto::CstomaChunkDamaged>();
  ASSERT_TRUE(damaged);
  EXPECT_EQ(damaged->chunkids, (std::vector<uint64_t>{name.id}));
}

TEST_F(WriteSyncTest, ASyncOutsideAWriteSessionIsRefused) {
  Node& a = NewNode();
  DataClient c = DataClient::Connect(a.ts.port);
  c.Send(proto::CltocsWriteSync{.chunkid = 0x53, .write_id = 1});
  auto st = c.WriteStatus();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, Code::kNotOpened);
}

}  // namespace
}  // namespace elk::chunkserver
