// libelkclient against an in-process master and three chunkservers: the session, the
// namespace calls, data across block and chunk boundaries, goal 3, read fail-over.
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <array>
#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "chunkserver/server/test_harness.h"
#include "chunkserver/storage/fault_disk_io.h"
#include "master/server/master_server.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"

namespace elk::client {
namespace {

namespace fs = std::filesystem;
namespace proto = protocol;
using namespace std::chrono_literals;

std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("elk-client-test-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    StartMaster();
    ASSERT_TRUE(loop_.Start().ok());
    servers_.resize(3);
    for (size_t i = 0; i < 3; ++i)
      StartChunkserver(i);
    // Wait until all three chunkservers registered their space.
    struct statvfs sv {};
    ASSERT_EQ(::statvfs(disks_[0].path().c_str(), &sv), 0);
    const double one = static_cast<double>(sv.f_blocks) * static_cast<double>(sv.f_frsize);
    auto s = Session();
    for (int i = 0; i < 200; ++i) {
      auto st = s->Statfs();
      ASSERT_TRUE(st.ok()) << st.status().ToString();
      if (static_cast<double>(st->total_space) > 2.5 * one) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "chunkservers did not register";
  }
  void TearDown() override {
    for (size_t i = 0; i < servers_.size(); ++i)
      StopChunkserver(i);
    loop_.Stop();
    StopMaster();
    fs::remove_all(dir_);
  }
  void StartMaster() {
    master::MasterConfig c;
    c.data_path = dir_.string();
    c.exports_text = "127.0.0.1 / rw,alldirs,maproot=0\n";
    c.matocl = {"127.0.0.1", client_port_};
    c.matocs = {"127.0.0.1", cs_port_};
    c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = false;
    auto m = master::MasterServer::Create(c);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    master_ = std::move(*m);
    client_port_ = master_->client_port();
    cs_port_ = master_->chunkserver_port();
    thread_ = std::thread([this] { (void)master_->Run(); });
  }
  void StopMaster() {
    if (!master_) return;
    master_->Stop();
    thread_.join();
    master_.reset();
  }
  void StartChunkserver(size_t i) {
    auto cfg = chunkserver::testing::BaseConfig(disks_[i].path(), cs_port_);
    cfg.disk_io = &faults_[i];  // nothing injected: counts the calls (fdatasyncs)
    auto cs = loop_.Call([&] { return chunkserver::ChunkServer::Create(loop_.loop(), cfg); });
    ASSERT_TRUE(cs.ok()) << cs.status().ToString();
    servers_[i] = std::move(*cs);
  }
  void StopChunkserver(size_t i) {
    loop_.Call([&] { servers_[i].reset(); });
  }
  std::unique_ptr<MasterSession> Session() {
    auto s = MasterSession::Open({.host = "127.0.0.1", .port = client_port_});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Made open for reading and writing by the session, as the mount creates: the master
  // lets a session read and write only the chunks of files it holds open so.
  uint32_t NewFile(MasterSession& s, const std::string& name) {
    auto a = s.Create(1, name, 0644, 022, {}, /*open=*/true);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a->inode : 0;
  }
  // Number of chunk files under a chunkserver's disk folder.
  static size_t ChunkFiles(const std::string& disk) {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(disk))
      if (e.is_regular_file() && e.path().filename().string().rfind("chunk_", 0) == 0) ++n;
    return n;
  }

  fs::path dir_;
  uint16_t client_port_ = 0, cs_port_ = 0;
  std::unique_ptr<master::MasterServer> master_;
  std::thread thread_;
  net::LoopThread loop_;
  std::array<chunkstore::TestDir, 3> disks_;
  std::unique_ptr<chunkstore::DiskIo> posix_ = chunkstore::NewPosixDiskIo();
  std::array<chunkstore::FaultDiskIo, 3> faults_{chunkstore::FaultDiskIo(*posix_),
                                                 chunkstore::FaultDiskIo(*posix_),
                                                 chunkstore::FaultDiskIo(*posix_)};
  std::vector<std::unique_ptr<chunkserver::ChunkServer>> servers_;
};

TEST_F(ClientTest, NamespaceCalls) {
  auto s = Session();
  ASSERT_TRUE(s);
  EXPECT_NE(s->session_id(), 0u);
  EXPECT_EQ(s->root_inode(), 1u);
  auto d = s->Mkdir(1, "d", 0755, 022, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto f = s->Create(d->inode, "f", 0644, 022, {});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(s->Lookup(d->inode, "f", {})->inode, f->inode);
  EXPECT_EQ(s->Rmdir(1, "d", {}).code(), Code::kNotEmpty);
  ASSERT_TRUE(s->Rename(d->inode, "f", 1, "g", {}).ok());
  EXPECT_EQ(s->Lookup(d->inode, "f", {}).code(), Code::kNoEnt);
  auto l = s->Link(f->inode, 1, "h", {});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->nlink, 2u);
  auto sl = s->Symlink(1, "s", "g", {});
  ASSERT_TRUE(sl.ok());
  EXPECT_EQ(*s->Readlink(sl->inode), "g");
  auto list = s->Readdir(1, {});
  ASSERT_TRUE(list.ok());
  EXPECT_GE(list->size(), 4u);
  ASSERT_TRUE(s->Unlink(1, "h", {}).ok());
  ASSERT_TRUE(s->Rmdir(1, "d", {}).ok());
  proto::CltomaSetattr sa{.inode = f->inode, .mode = uint16_t{0600}};
  auto a = s->Setattr(sa);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->mode & 0777, 0600);
}

TEST_F(ClientTest, ReadsBackAcrossBlockAndChunkBoundaries) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t seed = 1;
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537},
                      size_t{3 * 65536 + 100}}) {
    for (uint64_t offset : {uint64_t{0}, uint64_t{1}, uint64_t{65535}, kChunkSize - 1}) {
      const std::string name = fmt::format("f{}_{}", size, offset);
      uint32_t inode = NewFile(*s, name);
      auto data = Pattern(size, seed++);
      ASSERT_TRUE(io.Write(inode, offset, data).ok()) << name;
      auto attr = s->Getattr(inode, {});
      ASSERT_TRUE(attr.ok());
      EXPECT_EQ(attr->length, size ? offset + size : 0) << name;
      auto back = io.Read(inode, offset, static_cast<uint32_t>(size + 10));
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(*back == data) << name;
      if (offset > 0 && size > 0) {
        auto head = io.Read(inode, 0, 1);  // a hole reads as zeros
        ASSERT_TRUE(head.ok()) << head.status().ToString();
        ASSERT_EQ(head->size(), 1u);
        EXPECT_EQ((*head)[0], 0);
      }
    }
  }
}

TEST_F(ClientTest, ChunkPlusOneAndPartialOverwrite) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t inode = NewFile(*s, "big");
  auto data = Pattern(kChunkSize + 1, 7);
  ASSERT_TRUE(io.Write(inode, 0, data).ok());
  auto patch = Pattern(100000, 8);
  ASSERT_TRUE(io.Write(inode, kChunkSize - 50000, patch).ok());
  data.resize(std::max<size_t>(data.size(), kChunkSize - 50000 + patch.size()));
  std::copy(patch.begin(), patch.end(), data.begin() + static_cast<ptrdiff_t>(kChunkSize - 50000));
  auto back = io.Read(inode, 0, static_cast<uint32_t>(data.size()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size(), data.size());
  EXPECT_TRUE(*back == data);
}

// The maximum file length: the last byte is writable and reads back; a byte past it is
// EFBIG before anything reaches the master (nothing wraps onto the file's start).
TEST_F(ClientTest, OffsetsStopAtTheMaximumFileLength) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t inode = NewFile(*s, "longest");
  auto head = Pattern(100, 3);
  ASSERT_TRUE(io.Write(inode, 0, head).ok());
  const std::vector<uint8_t> one{0x5a};
  ASSERT_TRUE(io.Write(inode, kMaxFileLength - 1, one).ok());
  EXPECT_EQ(io.Write(inode, kMaxFileLength, one).code(), Code::kTooBig);
  EXPECT_EQ(io.Write(inode, (uint64_t{1} << 58) + 5, one).code(), Code::kTooBig);
  EXPECT_EQ(io.Write(inode, UINT64_MAX, one).code(), Code::kTooBig);
  EXPECT_EQ(io.Write(inode, kMaxFileLength - 1, head).code(), Code::kTooBig);
  EXPECT_EQ(io.PunchChunks(inode, kMaxChunkIndex, 2).code(), Code::kIndexTooBig);
  EXPECT_EQ(io.HasChunk(inode, kMaxChunkIndex + 1).status().code(), Code::kIndexTooBig);
  auto last = io.Read(inode, kMaxFileLength - 1, 10);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, one);
  auto past = io.Read(inode, (uint64_t{1} << 58) + 5, 10);
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  EXPECT_TRUE(past->empty());
  auto back = io.Read(inode, 0, 100);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, head);
}

TEST_F(ClientTest, GoalThreeWritesAllServersAndReadFailsOver) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t inode = NewFile(*s, "g3");
  auto g = s->Call<proto::MatoclSetgoal>(
      proto::CltomaSetgoal{0, inode, 3, proto::SetMode::kSet, false, {}});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto data = Pattern(200000, 9);
  ASSERT_TRUE(io.Write(inode, 0, data).ok());
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(ChunkFiles(disks_[i].path()), 1u) << "server " << i;
  // Stop each server in turn but the last: the read must still succeed from another copy.
  StopChunkserver(0);
  auto back = io.Read(inode, 0, 200000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  StopChunkserver(1);
  ChunkIo fresh(*s);
  back = fresh.Read(inode, 0, 200000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

// fsync's promise: after Sync every chunk the file wrote is fdatasynced on each copy.
TEST_F(ClientTest, SyncReachesTheDiskOfEveryCopyOfEveryChunkWritten) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t inode = NewFile(*s, "synced");
  auto g = s->Call<proto::MatoclSetgoal>(
      proto::CltomaSetgoal{0, inode, 3, proto::SetMode::kSet, false, {}});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  // Two chunks: the end of the first and the start of the second.
  const auto data = Pattern(300000, 21);
  ASSERT_TRUE(io.Write(inode, kChunkSize - 100000, data).ok());
  std::array<uint64_t, 3> before{};
  for (size_t i = 0; i < 3; ++i)
    before[i] = faults_[i].Calls(chunkstore::FaultOp::kSync);
  ASSERT_TRUE(io.Sync(inode).ok());
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(faults_[i].Calls(chunkstore::FaultOp::kSync), before[i] + 2) << "server " << i;
  // Nothing written since: nothing to sync.
  ASSERT_TRUE(io.Sync(inode).ok());
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(faults_[i].Calls(chunkstore::FaultOp::kSync), before[i] + 2) << "server " << i;
  auto back = io.Read(inode, kChunkSize - 100000, 300000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

// A copy whose fdatasync fails fails the Sync (fsync returns EIO), once.
TEST_F(ClientTest, AFailedSyncOnOneCopyFailsTheSync) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s);
  uint32_t inode = NewFile(*s, "unsynced");
  auto g = s->Call<proto::MatoclSetgoal>(
      proto::CltomaSetgoal{0, inode, 3, proto::SetMode::kSet, false, {}});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_TRUE(io.Write(inode, 0, Pattern(100000, 22)).ok());
  for (auto& f : faults_)
    f.Inject({.op = chunkstore::FaultOp::kSync, .error = EIO, .times = 1});
  Status st = io.Sync(inode);
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  EXPECT_TRUE(io.Sync(inode).ok());  // reported once, as a local file system does
}

// The table of chunks awaiting fsync is bounded: a mount writing many files and never
// fsyncing keeps at most max_unsynced; the oldest are synced on every copy when they leave
// it, so fsync of any file still means its chunks are on every disk.
TEST_F(ClientTest, UnsyncedChunksAreBoundedAndSyncedWhenForgotten) {
  auto s = Session();
  ASSERT_TRUE(s);
  ChunkIo io(*s, ChunkIoOptions{.max_unsynced = 4});
  std::vector<uint32_t> files;
  auto syncs = [&] {
    std::array<uint64_t, 3> n{};
    for (size_t i = 0; i < 3; ++i)
      n[i] = faults_[i].Calls(chunkstore::FaultOp::kSync);
    return n;
  };
  auto chunk_names = [&] {
    std::set<std::string> n;
    for (const auto& e : fs::recursive_directory_iterator(disks_[0].path()))
      if (e.path().filename().string().rfind("chunk_", 0) == 0)
        n.insert(e.path().filename().string().substr(0, 23));  // "chunk_" and the id
    return n;
  };
  std::string chunk6;              // files[6]'s chunk, to make its sync fail below
  std::array<uint64_t, 3> base{};  // what writing a new chunk syncs by itself
  for (int f = 0; f < 10; ++f) {
    uint32_t inode = NewFile(*s, "many" + std::to_string(f));
    const auto names_before = chunk_names();
    auto g = s->Call<proto::MatoclSetgoal>(
        proto::CltomaSetgoal{0, inode, 3, proto::SetMode::kSet, false, {}});
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    const auto before = syncs();
    ASSERT_TRUE(io.Write(inode, 0, Pattern(100000, 30 + f)).ok());
    const auto after = syncs();
    files.push_back(inode);
    EXPECT_LE(io.unsynced_chunks(), 4u);
    if (f == 6) {
      for (const auto& n : chunk_names())
        if (!names_before.contains(n)) chunk6 = n;
    }
    // Past the cap each new chunk makes the oldest be synced on each of its 3 copies.
    for (size_t i = 0; i < 3; ++i) {
      if (f == 0) base[i] = after[i] - before[i];
      EXPECT_EQ(after[i] - before[i], base[i] + (f < 4 ? 0u : 1u))
          << "file " << f << " server " << i;
    }
  }
  ASSERT_FALSE(chunk6.empty());
  EXPECT_EQ(io.unsynced_chunks(), 4u);
  // A file whose entry was kept: its fsync reaches every copy.
  auto before = syncs();
  ASSERT_TRUE(io.Sync(files.back()).ok());
  auto after = syncs();
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(after[i], before[i] + 1) << "server " << i;
  EXPECT_EQ(io.unsynced_chunks(), 3u);
  // A file synced when it left the table: nothing more to do.
  before = syncs();
  ASSERT_TRUE(io.Sync(files.front()).ok());
  EXPECT_EQ(syncs(), before);
  // A sync for room that fails is what that file's fsync reports, once.
  for (auto& f : faults_)
    f.Inject({.op = chunkstore::FaultOp::kSync, .error = EIO, .times = 1, .path_contains = chunk6});
  uint32_t last = NewFile(*s, "many-last");
  ASSERT_TRUE(io.Write(last, 0, Pattern(1000, 50)).ok());
  ASSERT_TRUE(io.Write(NewFile(*s, "many-past"), 0, Pattern(1000, 51)).ok());  // evicts files[6]
  Status st = io.Sync(files[6]);
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  EXPECT_TRUE(io.Sync(files[6]).ok());
}

TEST_F(ClientTest, SessionSurvivesMasterRestart) {
  auto s = Session();
  ASSERT_TRUE(s);
  const uint32_t id = s->session_id();
  ASSERT_TRUE(s->Mkdir(1, "before", 0755, 022, {}).ok());
  // A file the session holds open (read and write) stays so across the restart: the
  // master keeps opens and their modes, so reads and writes go on without opening again.
  const uint32_t inode = NewFile(*s, "open");
  const std::vector<uint8_t> first(100000, 7), second(5000, 9);
  {
    ChunkIo io(*s);
    ASSERT_TRUE(io.Write(inode, 0, first).ok());
  }
  StopMaster();
  StartMaster();
  auto a = s->Lookup(1, "before", {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(s->session_id(), id);
  EXPECT_GE(s->reconnects(), 1u);
  ChunkIo io(*s);
  Status w = io.Write(inode, first.size(), second);
  ASSERT_TRUE(w.ok()) << w.ToString();
  auto back = io.Read(inode, 0, 200000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::vector<uint8_t> want = first;
  want.insert(want.end(), second.begin(), second.end());
  EXPECT_TRUE(*back == want);
}

// The master's count of a session's descriptors of inode, and its reserved files, read on
// its loop thread.
template <typename F>
auto OnMaster(master::MasterServer& m, F f) {
  std::promise<decltype(f())> done;
  m.loop().Post([&] { done.set_value(f()); });
  return done.get_future().get();
}

TEST_F(ClientTest, AResumedSessionGivesTheMasterItsAccountOfOpenFiles) {
  auto s = Session();
  ASSERT_TRUE(s);
  const uint32_t sid = s->session_id();
  const uint32_t kept = NewFile(*s, "kept");
  const uint32_t doomed = NewFile(*s, "doomed");
  ASSERT_TRUE(s->Open(kept, proto::kOpenRead, {}).ok());
  // An OPEN the master applied whose answer never reached the account, as when the
  // connection drops before the reply is read: sent around the session's own counting.
  ASSERT_TRUE(s->Call<proto::MatoclOpen>(proto::CltomaOpen{0, doomed, proto::kOpenRead, {}}).ok());
  auto opens = s->OpenFiles();
  ASSERT_EQ(opens.size(), 2u);
  EXPECT_EQ(opens[kept].count, 2u);
  EXPECT_EQ(opens[kept].mode, proto::kOpenRead | proto::kOpenWrite);
  EXPECT_EQ(opens[doomed].count, 1u);
  auto count = [&](uint32_t inode) {
    return OnMaster(*master_, [&] {
      for (auto [open, n] : master_->metadata().ns().OpensOf(sid))
        if (open == inode) return n;
      return uint32_t{0};
    });
  };
  auto reserved = [&] {
    return OnMaster(*master_, [&] { return master_->metadata().ns().ListReserved().size(); });
  };
  EXPECT_EQ(count(doomed), 2u);
  ASSERT_TRUE(s->Call<proto::MatoclSettrashtime>(
                   proto::CltomaSettrashtime{0, doomed, 0, proto::SetMode::kSet, false, {}})
                  .ok());
  ASSERT_TRUE(s->Unlink(1, "doomed", {}).ok());
  ASSERT_TRUE(s->Release(doomed).ok());
  EXPECT_FALSE(s->OpenFiles().contains(doomed));
  EXPECT_EQ(reserved(), 1u);  // the unanswered open holds it

  // The master restarts; the session resumes and gives its account before anything else.
  StopMaster();
  StartMaster();
  ASSERT_TRUE(s->Lookup(1, "kept", {}).ok());
  EXPECT_GE(s->reconnects(), 1u);
  EXPECT_EQ(s->session_id(), sid);
  EXPECT_EQ(count(doomed), 0u);
  EXPECT_EQ(reserved(), 0u);
  EXPECT_EQ(count(kept), 2u);
  // A release after the resume counts as before, on both sides.
  ASSERT_TRUE(s->Release(kept).ok());
  EXPECT_EQ(count(kept), 1u);
  EXPECT_EQ(s->OpenFiles().at(kept).count, 1u);
  ChunkIo io(*s);
  const std::vector<uint8_t> data(1000, 5);
  // Still open for writing (the chunkservers come back to the new master meanwhile).
  Status w = io.Write(kept, 0, data);
  for (int i = 0; i < 200 && w.code() == Code::kNoChunkServers; ++i) {
    std::this_thread::sleep_for(50ms);
    w = io.Write(kept, 0, data);
  }
  EXPECT_TRUE(w.ok()) << w.ToString();
}

// Fencing (docs/failover.md): once a session registered with a master of term 5, a master
// of term 3 (an old leader woken up) is not used, even when it is the only one answering;
// the same master serves once it leads in a newer term.
TEST_F(ClientTest, AMasterOfAnOlderTermIsNotUsedOnceANewerOneWasReached) {
  master::MasterConfig c;
  c.data_path = (dir_ / "old").string();
  fs::create_directories(c.data_path);
  c.exports_text = "127.0.0.1 / rw,alldirs,maproot=0\n";
  c.matocl = {"127.0.0.1", 0};
  c.matocs = {"127.0.0.1", 0};
  c.matoml = {"127.0.0.1", 0};
  c.changelog_sync = false;
  auto created = master::MasterServer::Create(c);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<master::MasterServer> old = std::move(*created);
  std::thread old_thread([&] { (void)old->Run(); });
  auto stop_old = [&] {
    old->Stop();
    old_thread.join();
  };
  ASSERT_TRUE(OnMaster(*master_, [&] { return master_->BecomeLeader(5); }).ok());
  ASSERT_TRUE(OnMaster(*old, [&] { return old->BecomeLeader(3); }).ok());
  auto s = MasterSession::Open(
      {.host = fmt::format("127.0.0.1:{}, 127.0.0.1:{}", client_port_, old->client_port())});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Mkdir(1, "at-term-5", 0755, 022, {}).ok());

  StopMaster();  // only the master of term 3 is left, until it leads in term 7
  const auto stopped = std::chrono::steady_clock::now();
  std::thread newer_term([&] {
    std::this_thread::sleep_for(1500ms);
    (void)OnMaster(*old, [&] { return old->BecomeLeader(7); });
  });
  auto made = (*s)->Mkdir(1, "after", 0755, 022, {});
  const auto waited = std::chrono::steady_clock::now() - stopped;
  newer_term.join();
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_GE(waited, 1500ms) << "the request went to the master of the older term";
  EXPECT_TRUE(
      OnMaster(*old, [&] { return old->metadata().ns().Lookup(master::Cred{}, 1, "after").ok(); }));
  s->reset();
  stop_old();
}

// The master's loop held for `hold` (as a SIGSTOP would: no answer, no keep-alive) while
// the session asks a lookup; the number of reconnects it took.
uint32_t ReconnectsOverAHeldLoop(master::MasterServer& m, MasterSession& s,
                                 std::chrono::milliseconds hold) {
  const uint32_t before = s.reconnects();
  std::promise<void> holding;
  m.loop().Post([hold, &holding] {
    holding.set_value();
    std::this_thread::sleep_for(hold);
  });
  holding.get_future().wait();  // the lookup must find the loop held
  auto a = s.Lookup(1, "here", {});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return s.reconnects() - before;
}

TEST_F(ClientTest, AMasterSilentWhileARequestWaitsIsGivenUpAndTheRequestSentAgain) {
  auto s = MasterSession::Open({.host = "127.0.0.1",
                                .port = client_port_,
                                .master_silence = std::chrono::milliseconds(700)});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Mkdir(1, "here", 0755, 022, {}).ok());
  // Quiet for less than master_silence: the answer is awaited on the same connection.
  EXPECT_EQ(ReconnectsOverAHeldLoop(*master_, **s, 300ms), 0u);
  // Silent for longer: the connection is given up, and the lookup is sent again on a new
  // one (answered once the master runs again; with a list, another master would answer).
  EXPECT_GE(ReconnectsOverAHeldLoop(*master_, **s, 2000ms), 1u);
}

TEST_F(ClientTest, AMasterThatKeepsSendingNopsIsWaitedForPastTheSilenceLimit) {
  auto holder = Session();
  auto waiter = MasterSession::Open({.host = "127.0.0.1",
                                     .port = client_port_,
                                     .master_silence = std::chrono::milliseconds(2500)});
  ASSERT_TRUE(holder && waiter.ok());
  const uint32_t inode = NewFile(*holder, "locked");
  auto lock = [&](uint64_t owner, proto::LockType type, uint8_t flags) {
    return proto::CltomaLock{0, inode, owner, proto::LockKind::kPosix, type, 0, 100,
                             1, owner, flags};
  };
  ASSERT_TRUE(holder->Lock(lock(1, proto::LockType::kExclusive, 0)).ok());
  // A lock wait: no answer until the holder lets go, only the master's NOPs (one a second).
  auto waited = std::async(std::launch::async, [&] {
    return (*waiter)->Lock(lock(2, proto::LockType::kExclusive, proto::kLockWait));
  });
  EXPECT_EQ(waited.wait_for(4s), std::future_status::timeout);
  ASSERT_TRUE(holder->Lock(lock(1, proto::LockType::kUnlock, 0)).ok());
  ASSERT_EQ(waited.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(waited.get().ok());
  EXPECT_EQ((*waiter)->reconnects(), 0u) << "a master sending NOPs was given up";
}

// A master with no chunkserver connected (just started or elected: they come back within
// their MASTER_TIMEOUT and reconnection delay, 15 s with the defaults) is waited for past the
// attempts' 4.5 s; the write then succeeds rather than failing with ENOSPC.
TEST_F(ClientTest, AWriteWaitsForChunkserversThatAreNotBackYet) {
  auto s = Session();
  ASSERT_TRUE(s);
  const uint32_t inode = NewFile(*s, "waits");
  for (size_t i = 0; i < servers_.size(); ++i)
    StopChunkserver(i);
  auto none_connected = [&] {
    return OnMaster(*master_,
                    [&] { return master_->metadata().chunks().servers().connected_count(); }) == 0;
  };
  for (int i = 0; i < 100 && !none_connected(); ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(none_connected());
  const auto stopped = std::chrono::steady_clock::now();
  std::thread back([&] {
    std::this_thread::sleep_for(6s);
    for (size_t i = 0; i < servers_.size(); ++i)
      StartChunkserver(i);
  });
  ChunkIo io(*s);
  const std::vector<uint8_t> data(70000, 3);
  Status w = io.Write(inode, 0, data);
  back.join();
  EXPECT_TRUE(w.ok()) << w.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, 6s);
  auto read = io.Read(inode, 0, 70000);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(*read == data);
}

TEST_F(ClientTest, RefusedExportAndUnreachableMaster) {
  auto bad = MasterSession::Open(
      {.host = "127.0.0.1", .port = client_port_, .export_path = "/nonexistent"});
  EXPECT_FALSE(bad.ok());
  auto none = MasterSession::Open({.host = "127.0.0.1", .port = 1});
  EXPECT_FALSE(none.ok());
}

}  // namespace
}  // namespace elk::client
