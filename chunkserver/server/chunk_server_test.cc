#include "chunkserver/server/chunk_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "chunkserver/server/chunk_ops.h"
#include "chunkserver/server/test_harness.h"
#include "chunkserver/storage/fault_disk_io.h"
#include "common/crc/crc32c.h"

namespace elk::chunkserver {
namespace {

using namespace testing;  // NOLINT
using chunkstore::kHeaderSize;
using elk::kBlockSize;

class ChunkServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(loop_.Start().ok()); }
  void TearDown() override {
    loop_.Call([this] {
      for (auto& s : servers_)
        s->server.reset();
    });
    masters_.clear();
    loop_.Stop();
  }

  FakeMaster& NewMaster() {
    masters_.push_back(std::make_unique<FakeMaster>(loop_));
    return *masters_.back();
  }
  // A chunkserver with its own disk; `tune` adjusts the config first.
  TestServer& NewServer(uint16_t master_port = 0,
                        const std::function<void(ServerConfig&)>& tune = nullptr) {
    servers_.push_back(std::make_unique<TestServer>());
    TestServer& ts = *servers_.back();
    ServerConfig config = BaseConfig(ts.dir.path(), master_port);
    if (tune) tune(config);
    loop_.Call([&] {
      auto s = ChunkServer::Create(loop_.loop(), config);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      ts.server = std::move(*s);
      ts.port = ts.server->port();
    });
    return ts;
  }
  Status OnDisk(TestServer& ts, const std::function<Status(DiskSet&)>& fn) {
    return loop_.Call([&] { return fn(ts.server->disks()); });
  }
  void CreateEverywhere(std::initializer_list<TestServer*> servers, ChunkName name) {
    for (TestServer* s : servers) {
      ASSERT_TRUE(OnDisk(*s, [&](DiskSet& d) { return CreateChunk(d, name); }).ok());
    }
  }
  // Writes `data` at offset 0 of the chunk through the data port, in block pieces.
  void WriteThrough(DataClient& c, ChunkName name, const std::vector<uint8_t>& data,
                    std::vector<proto::ServerAddr> chain, uint32_t first_id = 1) {
    c.Send(proto::CltocsWriteInit{
        .chunkid = name.id, .version = name.version, .chain = std::move(chain)});
    auto init = c.WriteStatus();
    ASSERT_TRUE(init);
    ASSERT_EQ(init->status, Code::kOk);
    uint32_t id = first_id;
    for (size_t at = 0; at < data.size(); at += kBlockSize, ++id) {
      const size_t len = std::min<size_t>(kBlockSize, data.size() - at);
      c.WriteData(name.id, id, static_cast<uint16_t>(at / kBlockSize), 0,
                  std::span<const uint8_t>(data.data() + at, len));
    }
    std::set<uint32_t> acked;
    for (uint32_t i = first_id; i < id; ++i) {
      auto st = c.WriteStatus();
      ASSERT_TRUE(st);
      EXPECT_EQ(st->status, Code::kOk) << "write " << st->write_id;
      acked.insert(st->write_id);
    }
    EXPECT_EQ(acked.size(), id - first_id);
    c.Send(proto::CltocsWriteEnd{.chunkid = name.id});
  }

  net::LoopThread loop_;
  std::vector<std::unique_ptr<FakeMaster>> masters_;
  std::vector<std::unique_ptr<TestServer>> servers_;
};

TEST_F(ChunkServerTest, RegistersWithItsChunksAndExecutesMasterCommands) {
  // Chunks already on the disk before the server starts.
  chunkstore::TestDir dir;
  {
    auto io = chunkstore::NewPosixDiskIo();
    auto store = chunkstore::ChunkStore::Open(*io, {.dir = dir.path(), .leave_space = 0});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Create({5, 1}).ok());
    ASSERT_TRUE((*store)->Create({6, 2}).ok());
  }
  FakeMaster& master = NewMaster();
  const uint16_t mport = master.Start();
  TestServer& cs = NewServer(mport, [&](ServerConfig& c) { c.disks[0].path = dir.path(); });

  auto reg = master.WaitMsg<proto::CstomaRegister>();
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->addr.port, cs.port);
  EXPECT_EQ(reg->addr.ip, net::kLoopbackIp);
  EXPECT_EQ(reg->chunk_count, 2u);
  EXPECT_GT(reg->total_space, 0u);
  auto list = master.WaitMsg<proto::CstomaRegisterChunks>();
  ASSERT_TRUE(list);
  std::vector<std::pair<uint64_t, uint32_t>> got;
  for (auto& c : list->chunks)
    got.emplace_back(c.chunkid, c.version);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::pair<uint64_t, uint32_t>>{{5, 1}, {6, 2}}));
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  ASSERT_TRUE(master.WaitMsg<proto::CstomaSpace>());  // the heartbeat

  master.Send(proto::MatocsCreateChunk{.chunkid = 100, .version = 1});
  auto created = master.WaitMsg<proto::CstomaCreateChunk>();
  ASSERT_TRUE(created);
  EXPECT_EQ(created->chunkid, 100u);
  EXPECT_EQ(created->status, Code::kOk);

  master.Send(proto::MatocsCreateChunk{.chunkid = 100, .version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaCreateChunk>()->status, Code::kChunkExists);

  master.Send(proto::MatocsSetVersion{.chunkid = 100, .version = 2, .old_version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaSetVersion>()->status, Code::kOk);
  master.Send(proto::MatocsSetVersion{.chunkid = 100, .version = 3, .old_version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaSetVersion>()->status, Code::kWrongVersion);

  // Put data in chunk 100 so duplicate and truncate have something to copy and cut.
  const auto data = RandomBytes(3 * kBlockSize + 100, 1);
  {
    DataClient c = DataClient::Connect(cs.port);
    WriteThrough(c, {100, 2}, data, {});
  }
  master.Send(proto::MatocsDuplicateChunk{
      .new_chunkid = 200, .new_version = 1, .old_chunkid = 100, .old_version = 2});
  auto dup = master.WaitMsg<proto::CstomaDuplicateChunk>();
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->chunkid, 200u);
  EXPECT_EQ(dup->status, Code::kOk);

  master.Send(
      proto::MatocsTruncateChunk{.chunkid = 200, .length = 1000, .version = 2, .old_version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaTruncateChunk>()->status, Code::kOk);
  master.Send(proto::MatocsDuptruncChunk{.new_chunkid = 300,
                                         .new_version = 1,
                                         .old_chunkid = 100,
                                         .old_version = 2,
                                         .length = 2 * kBlockSize + 5});
  auto duptrunc = master.WaitMsg<proto::CstomaDuptruncChunk>();
  ASSERT_TRUE(duptrunc);
  EXPECT_EQ(duptrunc->chunkid, 300u);
  EXPECT_EQ(duptrunc->status, Code::kOk);

  DataClient c = DataClient::Connect(cs.port);
  auto [st100, bytes100] = c.Read(100, 2, 0, static_cast<uint32_t>(data.size()));
  EXPECT_EQ(st100, Code::kOk);
  EXPECT_TRUE(bytes100 == data);
  auto [st200, bytes200] = c.Read(200, 2, 0, 2000);
  EXPECT_EQ(st200, Code::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 1000, bytes200.begin()));
  EXPECT_TRUE(
      std::all_of(bytes200.begin() + 1000, bytes200.end(), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(c.Read(200, 1, 0, 10).first, Code::kWrongVersion);
  auto [st300, bytes300] = c.Read(300, 1, 0, 3 * kBlockSize);
  EXPECT_EQ(st300, Code::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 2 * kBlockSize + 5, bytes300.begin()));
  EXPECT_TRUE(std::all_of(bytes300.begin() + 2 * kBlockSize + 5, bytes300.end(),
                          [](uint8_t b) { return b == 0; }));

  master.Send(proto::MatocsDeleteChunk{.chunkid = 5, .version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaDeleteChunk>()->status, Code::kOk);
  master.Send(proto::MatocsDeleteChunk{.chunkid = 5, .version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaDeleteChunk>()->status, Code::kNoChunk);
  EXPECT_EQ(c.Read(5, 1, 0, 10).first, Code::kNoChunk);
}

TEST_F(ChunkServerTest, ReportsItsDisksAtRegistrationAndWhenTheyChange) {
  FakeMaster& master = NewMaster();
  const uint16_t mport = master.Start();
  TestServer& cs = NewServer(mport);
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  auto first = master.WaitMsg<proto::CstomaDisks>();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->disks.size(), 1u);
  EXPECT_EQ(first->disks[0].path, cs.dir.path());
  EXPECT_EQ(first->disks[0].state, proto::DiskState::kOk);
  EXPECT_EQ(first->disks[0].chunk_count, 0u);
  EXPECT_GT(first->disks[0].total_space, 0u);
  EXPECT_FALSE(first->disks[0].scrub_on);  // HDD_TEST_FREQ 0 here

  master.Send(proto::MatocsCreateChunk{.chunkid = 9, .version = 1});
  ASSERT_EQ(master.WaitMsg<proto::CstomaCreateChunk>()->status, Code::kOk);
  // A later heartbeat carries the new count (sent only because something changed).
  bool seen = false;
  for (int i = 0; i < 20 && !seen; i++) {
    auto next = master.WaitMsg<proto::CstomaDisks>(2s);
    seen = next && next->disks.size() == 1 && next->disks[0].chunk_count == 1;
  }
  EXPECT_TRUE(seen);
}

TEST_F(ChunkServerTest, ReconnectsAndRegistersAgainWhenTheMasterComesBack) {
  FakeMaster& master = NewMaster();
  const uint16_t mport = master.Start();
  TestServer& cs = NewServer(mport);
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER));
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  CreateEverywhere({&cs}, {9, 1});
  master.Disconnect();
  auto again = master.WaitMsg<proto::CstomaRegister>();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->chunk_count, 1u);
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  EXPECT_EQ(master.connections(), 2);
}

// Fencing (docs/failover.md): once a master of epoch 7 registered it, the chunkserver
// refuses a master that registers it in epoch 5 (an old leader) and keeps trying.
TEST_F(ChunkServerTest, RefusesAMasterOfAnOlderEpoch) {
  FakeMaster& master = NewMaster();
  master.set_epoch(7);
  TestServer& cs = NewServer(master.Start(), [](ServerConfig& c) {
    c.master_reconnection_delay = 100ms;
    c.master_reconnection_max = 100ms;
  });
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_SPACE));
  EXPECT_EQ(loop_.Call([&] { return cs.server->master()->highest_epoch(); }), 7u);

  master.set_epoch(5);
  master.Disconnect();
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  // Refused: the link closes and the chunkserver connects again (and is refused again).
  bool reconnected = false;
  for (int i = 0; i < 50 && !reconnected; i++) {
    reconnected = master.connections() >= 3;
    if (!reconnected) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(reconnected);
  EXPECT_FALSE(loop_.Call([&] { return cs.server->master()->registered(); }));
  EXPECT_EQ(loop_.Call([&] { return cs.server->master()->highest_epoch(); }), 7u);

  // The current term (and any later one) is accepted again.
  master.set_epoch(9);
  bool registered = false;
  for (int i = 0; i < 50 && !registered; i++) {
    registered = loop_.Call([&] { return cs.server->master()->registered(); });
    if (!registered) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(registered);
  EXPECT_EQ(loop_.Call([&] { return cs.server->master()->highest_epoch(); }), 9u);
}

TEST_F(ChunkServerTest, ReplicatesAChunkFromAnotherChunkserver) {
  TestServer& source = NewServer();
  FakeMaster& master = NewMaster();
  TestServer& target = NewServer(master.Start());
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  CreateEverywhere({&source}, {0x77, 3});
  const auto data = RandomBytes(5 * kBlockSize + 12345, 2);
  {
    DataClient c = DataClient::Connect(source.port);
    WriteThrough(c, {0x77, 3}, data, {});
  }
  // A dead source first: the target moves on to the next one.
  master.Send(proto::MatocsReplicateChunk{
      .chunkid = 0x77, .version = 3, .sources = {Loopback(1), Loopback(source.port)}});
  auto done = master.WaitMsg<proto::CstomaReplicateChunk>();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->chunkid, 0x77u);
  EXPECT_EQ(done->version, 3u);
  EXPECT_EQ(done->status, Code::kOk);
  DataClient c = DataClient::Connect(target.port);
  auto [st, bytes] = c.Read(0x77, 3, 0, static_cast<uint32_t>(6 * kBlockSize));
  EXPECT_EQ(st, Code::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), bytes.begin()));

  // A version the source does not have fails, and leaves nothing behind.
  master.Send(proto::MatocsReplicateChunk{
      .chunkid = 0x78, .version = 1, .sources = {Loopback(source.port)}});
  EXPECT_EQ(master.WaitMsg<proto::CstomaReplicateChunk>()->status, Code::kNoChunk);
  EXPECT_EQ(c.Read(0x78, 1, 0, 10).first, Code::kNoChunk);
}

// Flips a byte of block `block` in the chunk file on disk, behind the server's back.
void Corrupt(const std::string& dir, ChunkName name, uint32_t block) {
  const std::string path = chunkstore::ChunkPath(dir, name);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  const auto at = static_cast<std::streamoff>(kHeaderSize + uint64_t{block} * kBlockSize + 17);
  f.seekg(at);
  char b = 0;
  f.read(&b, 1);
  f.seekp(at);
  b = static_cast<char>(b ^ 0x5A);
  f.write(&b, 1);
}

TEST_F(ChunkServerTest, CorruptedBlockAnswersCrcErrorAndIsReportedDamaged) {
  FakeMaster& master = NewMaster();
  TestServer& cs = NewServer(master.Start());
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  CreateEverywhere({&cs}, {0x31, 1});
  CreateEverywhere({&cs}, {0x32, 1});
  const auto data = RandomBytes(3 * kBlockSize, 3);
  DataClient c = DataClient::Connect(cs.port);
  WriteThrough(c, {0x31, 1}, data, {});
  WriteThrough(c, {0x32, 1}, data, {}, 100);
  Corrupt(cs.dir.path(), {0x31, 1}, 1);

  // Block 0 is fine, block 1 is not: a read of both answers the good piece, then kCrc.
  auto [st, bytes] = c.Read(0x31, 1, 0, 2 * kBlockSize);
  EXPECT_EQ(st, Code::kCrc);
  EXPECT_EQ(c.Read(0x31, 1, kBlockSize + 10, 100).first, Code::kCrc);
  EXPECT_EQ(c.Read(0x31, 1, 2 * kBlockSize, 100).first, Code::kOk);
  auto damaged = master.WaitMsg<proto::CstomaChunkDamaged>();
  ASSERT_TRUE(damaged);
  EXPECT_EQ(damaged->chunkids, std::vector<uint64_t>{0x31});

  // The scrub finds damage nobody has read yet.
  Corrupt(cs.dir.path(), {0x32, 1}, 2);
  for (int i = 0; i < 2; ++i) {
    loop_.Call([&] { cs.server->ScrubOne(); });
    while (loop_.Call([&] { return cs.server->scrubbed(); }) < static_cast<uint64_t>(i + 1)) {
      std::this_thread::sleep_for(1ms);
    }
  }
  bool found = false;
  while (auto more = master.WaitMsg<proto::CstomaChunkDamaged>(3s)) {
    if (std::find(more->chunkids.begin(), more->chunkids.end(), 0x32u) != more->chunkids.end()) {
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found);
}

// mfsfileinfo -c: a copy's block CRCs, from the chunk file's table; another version or an
// unknown chunk is refused.
TEST_F(ChunkServerTest, AnswersTheBlockCrcsOfACopy) {
  FakeMaster& master = NewMaster();
  TestServer& cs = NewServer(master.Start());
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  CreateEverywhere({&cs}, {0x41, 1});
  const auto data = RandomBytes(2 * kBlockSize + 100, 5);
  DataClient c = DataClient::Connect(cs.port);
  WriteThrough(c, {0x41, 1}, data, {});
  auto ask = [&c](uint64_t id, uint32_t version) {
    c.Send(proto::CltocsGetChecksums{id, version});
    auto f = c.Receive();
    EXPECT_TRUE(f.ok() && f->type == proto::CSTOCL_CHECKSUMS);
    auto m = proto::Decode<proto::CstoclChecksums>(f.ok() ? f->payload : std::vector<uint8_t>{});
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : proto::CstoclChecksums{};
  };
  proto::CstoclChecksums m = ask(0x41, 1);
  EXPECT_EQ(m.status, Code::kOk);
  ASSERT_EQ(m.crcs.size(), 3u);
  for (size_t b = 0; b < 3; ++b) {
    std::vector<uint8_t> block(kBlockSize, 0);  // the tail block zero-padded, as stored
    const size_t n = std::min<size_t>(kBlockSize, data.size() - b * kBlockSize);
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(b * kBlockSize), n, block.begin());
    EXPECT_EQ(m.crcs[b], crc::Crc32c(block)) << "block " << b;
  }
  m = ask(0x41, 2);
  EXPECT_EQ(m.status, Code::kWrongVersion);
  EXPECT_TRUE(m.crcs.empty());
  EXPECT_EQ(ask(0x99, 1).status, Code::kNoChunk);
}

TEST_F(ChunkServerTest, ChainedWriteThroughThreeServersReadsBackTheSameEverywhere) {
  // The head of the chain moves its data with libaio and O_DIRECT (HDD_AIO = 1), the others
  // through the page cache (the default): both engines must store the same bytes.
  TestServer& a = NewServer(0, [](ServerConfig& c) { c.use_aio = true; });
  TestServer& b = NewServer();
  TestServer& c3 = NewServer();
  const ChunkName name{0xABC, 5};
  CreateEverywhere({&a, &b, &c3}, name);
  // Whole blocks, then partial writes inside blocks, many in flight.
  auto data = RandomBytes(20 * kBlockSize, 4);
  DataClient c = DataClient::Connect(a.port);
  c.Send(proto::CltocsWriteInit{
      .chunkid = name.id, .version = name.version, .chain = {Loopback(b.port), Loopback(c3.port)}});
  auto init = c.WriteStatus();
  ASSERT_TRUE(init);
  ASSERT_EQ(init->status, Code::kOk);
  uint32_t id = 1;
  for (uint16_t block = 0; block < 20; ++block) {
    c.WriteData(name.id, id++, block, 0,
                std::span<const uint8_t>(data.data() + size_t{block} * kBlockSize, kBlockSize));
  }
  const auto patch = RandomBytes(3000, 5);
  for (uint16_t block : {uint16_t{2}, uint16_t{7}, uint16_t{19}}) {
    c.WriteData(name.id, id++, block, 1000, patch);
    std::copy(patch.begin(), patch.end(),
              data.begin() + static_cast<ptrdiff_t>(size_t{block} * kBlockSize + 1000));
  }
  std::set<uint32_t> acked;
  for (uint32_t i = 1; i < id; ++i) {
    auto st = c.WriteStatus();
    ASSERT_TRUE(st);
    EXPECT_EQ(st->status, Code::kOk);
    acked.insert(st->write_id);
  }
  EXPECT_EQ(acked.size(), id - 1);
  // A write whose data does not match its CRC is refused.
  proto::CltocsWriteData bad{
      .chunkid = name.id, .write_id = 999, .block = 0, .offset = 0, .crc = 1, .data = patch};
  c.Send(bad);
  auto refused = c.WriteStatus();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->write_id, 999u);
  EXPECT_EQ(refused->status, Code::kCrc);
  c.Send(proto::CltocsWriteEnd{.chunkid = name.id});

  for (TestServer* s : {&a, &b, &c3}) {
    DataClient r = DataClient::Connect(s->port);
    auto [st, bytes] = r.Read(name.id, name.version, 0, static_cast<uint32_t>(data.size()));
    EXPECT_EQ(st, Code::kOk) << "server " << s->port;
    EXPECT_TRUE(bytes == data) << "server " << s->port;
    auto [st2, part] = r.Read(name.id, name.version, 7 * kBlockSize + 999, 3002);
    EXPECT_EQ(st2, Code::kOk);
    EXPECT_TRUE(std::equal(part.begin(), part.end(), data.begin() + 7 * kBlockSize + 999));
  }
}

TEST_F(ChunkServerTest, LastServerStoppedMidStreamFailsLaterWritesAndKeepsEarlierData) {
  TestServer& a = NewServer();
  TestServer& b = NewServer();
  TestServer& c3 = NewServer();
  const ChunkName name{0xDEF, 1};
  CreateEverywhere({&a, &b, &c3}, name);
  const auto data = RandomBytes(8 * kBlockSize, 6);
  DataClient c = DataClient::Connect(a.port);
  c.Send(proto::CltocsWriteInit{
      .chunkid = name.id, .version = name.version, .chain = {Loopback(b.port), Loopback(c3.port)}});
  ASSERT_EQ(c.WriteStatus()->status, Code::kOk);
  for (uint16_t block = 0; block < 4; ++block) {
    c.WriteData(name.id, block + 1u, block, 0,
                std::span<const uint8_t>(data.data() + size_t{block} * kBlockSize, kBlockSize));
  }
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(c.WriteStatus()->status, Code::kOk);

  loop_.Call([&] { c3.server.reset(); });  // the end of the chain goes away
  for (uint16_t block = 4; block < 8; ++block) {
    c.WriteData(name.id, block + 1u, block, 0,
                std::span<const uint8_t>(data.data() + size_t{block} * kBlockSize, kBlockSize));
  }
  for (int i = 0; i < 4; ++i) {
    auto st = c.WriteStatus();
    ASSERT_TRUE(st);
    EXPECT_EQ(st->status, Code::kDisconnected) << "write " << st->write_id;
    EXPECT_EQ(st->server.port, c3.port);  // the error names the server that went away
    EXPECT_EQ(st->server.ip, net::kLoopbackIp);
  }
  c.Send(proto::CltocsWriteEnd{.chunkid = name.id});
  for (TestServer* s : {&a, &b}) {
    DataClient r = DataClient::Connect(s->port);
    auto [st, bytes] = r.Read(name.id, name.version, 0, 4 * kBlockSize);
    EXPECT_EQ(st, Code::kOk);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), data.begin()));
  }
}

TEST_F(ChunkServerTest, ChainToAnUnreachableServerFailsTheInit) {
  TestServer& a = NewServer();
  CreateEverywhere({&a}, {0x44, 1});
  DataClient c = DataClient::Connect(a.port);
  c.Send(proto::CltocsWriteInit{.chunkid = 0x44, .version = 1, .chain = {Loopback(1)}});
  auto st = c.WriteStatus();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, Code::kCantConnect);
  EXPECT_EQ(st->server.port, 1);
  // After the end, the same connection can carry a new write (here: with no chain).
  c.Send(proto::CltocsWriteEnd{.chunkid = 0x44});
  c.Send(proto::CltocsWriteInit{.chunkid = 0x44, .version = 1, .chain = {Loopback(1)}});
  c.Send(proto::CltocsWriteEnd{.chunkid = 0x44});  // ends while the chain may still connect
  EXPECT_EQ(c.WriteStatus()->status, Code::kCantConnect);
  c.Send(proto::CltocsWriteInit{.chunkid = 0x44, .version = 1, .chain = {}});
  EXPECT_EQ(c.WriteStatus()->status, Code::kOk);
  // A chunk that is not here fails the init too, naming the server itself (0:0).
  DataClient c2 = DataClient::Connect(a.port);
  c2.Send(proto::CltocsWriteInit{.chunkid = 0x45, .version = 1, .chain = {}});
  auto own = c2.WriteStatus();
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, Code::kNoChunk);
  EXPECT_EQ(own->server.port, 0);
  // In the middle of a chain: the first server names the second, which lacks the chunk.
  TestServer& b = NewServer();
  CreateEverywhere({&a}, {0x46, 1});
  DataClient c3 = DataClient::Connect(a.port);
  c3.Send(proto::CltocsWriteInit{.chunkid = 0x46, .version = 1, .chain = {Loopback(b.port)}});
  auto mid = c3.WriteStatus();
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->status, Code::kNoChunk);
  EXPECT_EQ(mid->server.port, b.port);
}

TEST_F(ChunkServerTest, FullDiskAnswersNoSpaceAndKeepsExistingChunksReadable) {
  auto posix = chunkstore::NewPosixDiskIo();
  chunkstore::FaultDiskIo io(*posix);
  FakeMaster& master = NewMaster();
  TestServer& cs = NewServer(master.Start(), [&](ServerConfig& c) {
    c.disk_io = &io;
    c.leave_space = uint64_t{1} << 30;
  });
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  io.FakeSpace(
      chunkstore::DiskSpace{.total = uint64_t{100} << 30, .available = uint64_t{50} << 30});
  CreateEverywhere({&cs}, {0x55, 1});
  const auto data = RandomBytes(2 * kBlockSize, 7);
  DataClient c = DataClient::Connect(cs.port);
  WriteThrough(c, {0x55, 1}, data, {});

  // Now only 512 MiB are free, below the 1 GiB reserve.
  io.FakeSpace(
      chunkstore::DiskSpace{.total = uint64_t{100} << 30, .available = uint64_t{512} << 20});
  master.Send(proto::MatocsCreateChunk{.chunkid = 0x56, .version = 1});
  EXPECT_EQ(master.WaitMsg<proto::CstomaCreateChunk>()->status, Code::kNoSpace);
  c.Send(proto::CltocsWriteInit{.chunkid = 0x55, .version = 1, .chain = {}});
  ASSERT_EQ(c.WriteStatus()->status, Code::kOk);
  const auto more = RandomBytes(kBlockSize, 8);
  c.WriteData(0x55, 1, 5, 0, more);  // growth: refused
  auto st = c.WriteStatus();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, Code::kNoSpace);
  c.Send(proto::CltocsWriteEnd{.chunkid = 0x55});
  auto [rst, bytes] = c.Read(0x55, 1, 0, static_cast<uint32_t>(data.size()));
  EXPECT_EQ(rst, Code::kOk);
  EXPECT_TRUE(bytes == data);
}

TEST_F(ChunkServerTest, FailedDiskReportsItsChunksLostAndTheOtherDiskKeepsServing) {
  auto posix = chunkstore::NewPosixDiskIo();
  chunkstore::FaultDiskIo io(*posix);
  chunkstore::TestDir second;
  FakeMaster& master = NewMaster();
  TestServer& cs = NewServer(master.Start(), [&](ServerConfig& c) {
    c.disk_io = &io;
    cfg::HddEntry e;
    e.path = second.path();
    e.marked_for_removal = true;  // so the first chunks land on the first disk
    c.disks.push_back(e);
  });
  ASSERT_TRUE(master.WaitFor(proto::CSTOMA_REGISTER_DONE));
  CreateEverywhere({&cs}, {0x61, 1});
  CreateEverywhere({&cs}, {0x62, 1});
  const auto data = RandomBytes(kBlockSize, 10);
  DataClient c = DataClient::Connect(cs.port);
  WriteThrough(c, {0x61, 1}, data, {});
  WriteThrough(c, {0x62, 1}, data, {}, 10);
  // A chunk on the second disk, which then fails to open files on the first.
  loop_.Call([&] {
    ServerConfig next = BaseConfig(cs.dir.path(), 0);
    cfg::HddEntry e;
    e.path = second.path();
    next.disks.push_back(e);
    next.disks[0].marked_for_removal = true;
    ASSERT_TRUE(cs.server->disks().Apply(next.disks, true).ok());
    ASSERT_TRUE(CreateChunk(cs.server->disks(), {0x63, 1}).ok());
  });
  WriteThrough(c, {0x63, 1}, data, {}, 20);
  io.Inject({.op = chunkstore::FaultOp::kOpen, .error = EIO, .path_contains = cs.dir.path()});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(c.Read(0x61, 1, 0, 100).first, Code::kIo);
  auto lost = master.WaitMsg<proto::CstomaChunkLost>();
  ASSERT_TRUE(lost);
  std::sort(lost->chunkids.begin(), lost->chunkids.end());
  EXPECT_EQ(lost->chunkids, (std::vector<uint64_t>{0x61, 0x62}));
  auto [st, bytes] = c.Read(0x63, 1, 0, kBlockSize);
  EXPECT_EQ(st, Code::kOk);
  EXPECT_TRUE(bytes == data);
}

}  // namespace
}  // namespace elk::chunkserver
