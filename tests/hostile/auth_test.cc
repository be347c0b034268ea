// Server authentication against the real programs (issue 17, item 3): a master with an
// AUTH_CODE refuses chunkservers and metaloggers that cannot prove it and logs why, while
// the real ones with the code register and serve data; a registration cannot raise a
// chunk's version, and a flood of unknown chunk ids leaves the master responsive and small.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "common/auth/auth_code.h"
#include "common/net/blocking_client.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocl.h"
#include "common/protocol/matocs.h"
#include "common/protocol/matoml.h"
#include "common/protocol/mltoma.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace elk::test {
namespace {

namespace proto = protocol;
using namespace std::chrono_literals;
using client::ChunkIo;
using client::MasterSession;

constexpr char kCode[] = "hostile-test-code-7f3a";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` every 50 ms for at most `limit`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

uint64_t RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

// A peer written by hand: it speaks the wire protocol but is no ElkFS server.
class Rogue {
 public:
  Status Connect(uint16_t port, proto::Role role) {
    auto c = net::BlockingClient::Connect({net::kLoopbackIp, port}, 5000ms);
    if (!c.ok()) return c.status();
    client_.emplace(std::move(*c));
    auto hello = Receive<proto::AntoanHello>();
    if (!hello.ok()) return hello.status();
    ELK_RETURN_IF_ERROR(Send(proto::MakeHello(role, "rogue")));
    auto challenge = Receive<proto::AntoanAuthChallenge>();
    if (!challenge.ok()) return challenge.status();
    challenge_ = challenge->challenge;
    return Status::Ok();
  }
  // The answer `code` gives to the master's challenge.
  Status Answer(const std::string& code) {
    const auth::AuthAnswer a = auth::Answer(code, challenge_);
    return Send(proto::AntoanAuthAnswer{{a.begin(), a.end()}});
  }
  template <typename M>
  Status Send(const M& m) {
    auto p = proto::EncodePayload(m);
    if (!p.ok()) return p.status();
    return client_->Send(M::kType, *p, 20000ms);
  }
  Result<net::Frame> ReceiveFrame(std::chrono::milliseconds timeout = 5000ms) {
    return client_->Receive(timeout);
  }
  template <typename M>
  Result<M> Receive(std::chrono::milliseconds timeout = 5000ms) {
    auto f = client_->Receive(timeout);
    if (!f.ok()) return f.status();
    if (f->type != M::kType) {
      return Status(Code::kProtocol, fmt::format("expected {}, got {}", proto::TypeName(M::kType),
                                                 proto::TypeName(f->type)));
    }
    return proto::Decode<M>(f->payload);
  }
  // A chunkserver's registration: listen port `port`, then the chunks in one batch each.
  Status RegisterChunkserver(uint16_t port,
                             const std::vector<std::vector<proto::ChunkVersion>>& batches) {
    uint32_t total = 0;
    for (const auto& b : batches)
      total += static_cast<uint32_t>(b.size());
    ELK_RETURN_IF_ERROR(Send(proto::CstomaRegister{
        {net::kLoopbackIp, port}, uint64_t{1} << 30, uint64_t{100} << 30, total}));
    for (const auto& b : batches)
      ELK_RETURN_IF_ERROR(Send(proto::CstomaRegisterChunks{b}));
    return Send(proto::CstomaRegisterDone{});
  }
  // Skips the master's commands (deletions of what it reported) up to its answer.
  Result<proto::MatocsRegister> RegistrationAnswer() {
    for (int i = 0; i < 100000; ++i) {
      auto f = ReceiveFrame(20000ms);
      if (!f.ok()) return f.status();
      if (f->type == proto::MATOCS_REGISTER)
        return proto::Decode<proto::MatocsRegister>(f->payload);
    }
    return Status(Code::kProtocol, "no MATOCS_REGISTER");
  }
  // The refusal the master sends before it closes, then the close itself.
  Result<proto::AntoanStatus> Refusal() {
    auto st = Receive<proto::AntoanStatus>();
    if (!st.ok()) return st.status();
    auto after = ReceiveFrame(5000ms);
    if (after.ok()) {
      return Status(Code::kProtocol,
                    fmt::format("{} after the refusal", proto::TypeName(after->type)));
    }
    if (after.status().code() != Code::kDisconnected) return after.status();
    return st;
  }

 private:
  std::optional<net::BlockingClient> client_;
  std::vector<uint8_t> challenge_;
};

class HostileAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Cluster::Start({.chunkservers = 2,
                             .metalogger = true,
                             .master_cfg = {{"CHANGELOG_SYNC", "0"}},
                             .auth_code = kCode});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    auto s = MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    session_ = std::move(*s);
    io_ = std::make_unique<ChunkIo>(*session_);
    ASSERT_TRUE(WaitFor([&] { return Count(MasterLog(), " registered with ") == 2; }, 20s))
        << MasterLog();
  }
  void TearDown() override {
    io_.reset();
    session_.reset();
    cluster_.reset();
  }
  std::string MasterLog() { return ReadText(cluster_->log("master")); }
  bool MasterLogSays(const std::string& what) {
    return WaitFor([&] { return MasterLog().find(what) != std::string::npos; }, 5s);
  }
  uint32_t NewFile(const std::string& name, uint8_t goal) {
    auto a = session_->Create(1, name, 0644, 022, {}, /*open=*/true);  // as the mount does
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok()) return 0;
    auto g = session_->Call<proto::MatoclSetgoal>(
        proto::CltomaSetgoal{0, a->inode, goal, proto::SetMode::kSet, false, {}});
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return a->inode;
  }
  proto::MatoclChunkInfo Chunk(uint32_t inode) {
    auto r = session_->Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, inode, 0});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : proto::MatoclChunkInfo{};
  }
  size_t ValidCopies(uint32_t inode) {
    auto copies = Chunk(inode).copies;
    return static_cast<size_t>(
        std::count_if(copies.begin(), copies.end(), [](const auto& c) { return c.valid; }));
  }

  std::unique_ptr<Cluster> cluster_;
  std::unique_ptr<MasterSession> session_;
  std::unique_ptr<ChunkIo> io_;
};

TEST_F(HostileAuth, RealServersWithTheCodeRegisterAndServeData) {
  // Two chunkservers and the metalogger proved the code.
  EXPECT_TRUE(WaitFor([&] { return Count(MasterLog(), "AUTH_CODE proven") == 3; }, 10s))
      << MasterLog();
  EXPECT_EQ(Count(MasterLog(), "refused"), 0u) << MasterLog();
  const uint32_t inode = NewFile("data", 2);
  const auto data = Pattern(3 << 20, 1);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  auto back = io_->Read(inode, 0, static_cast<uint32_t>(data.size()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  EXPECT_EQ(ValidCopies(inode), 2u);
  EXPECT_TRUE(MasterLogSays("registered at version")) << MasterLog();  // the metalogger
}

TEST_F(HostileAuth, ChunkserverWithoutTheCodeIsRefused) {
  Rogue rogue;
  ASSERT_TRUE(rogue.Connect(cluster_->master_chunkserver_port(), proto::Role::kChunkserver).ok());
  // Straight to the registration, as a server that does not know the step. (Only its
  // first frame: the master closes right after, and a write into a closed connection
  // would reset it before the refusal is read.)
  ASSERT_TRUE(rogue
                  .Send(proto::CstomaRegister{
                      {net::kLoopbackIp, 4001}, uint64_t{1} << 30, uint64_t{100} << 30, 1})
                  .ok());
  auto refusal = rogue.Refusal();
  ASSERT_TRUE(refusal.ok()) << refusal.status().ToString();
  EXPECT_EQ(refusal->status, Code::kNoPassword);
  EXPECT_NE(refusal->message.find("no AUTH_CODE"), std::string::npos) << refusal->message;
  EXPECT_TRUE(MasterLogSays("refused: sent CSTOMA_REGISTER instead of the AUTH_CODE answer"))
      << MasterLog();
  EXPECT_EQ(MasterLog().find("127.0.0.1:4001 (id"), std::string::npos);  // never registered
}

TEST_F(HostileAuth, ChunkserverWithAnEmptyOrAWrongAnswerIsRefused) {
  for (const std::string& code : {std::string(), std::string("not-the-code")}) {
    Rogue rogue;
    ASSERT_TRUE(rogue.Connect(cluster_->master_chunkserver_port(), proto::Role::kChunkserver).ok());
    if (code.empty()) {
      ASSERT_TRUE(rogue.Send(proto::AntoanAuthAnswer{}).ok());
    } else {
      ASSERT_TRUE(rogue.Answer(code).ok());
    }
    auto refusal = rogue.Refusal();
    ASSERT_TRUE(refusal.ok()) << refusal.status().ToString();
    EXPECT_EQ(refusal->status, code.empty() ? Code::kNoPassword : Code::kBadPassword);
  }
  EXPECT_TRUE(MasterLogSays("refused: wrong AUTH_CODE")) << MasterLog();
}

TEST_F(HostileAuth, MetaloggerWithoutOrWithAWrongCodeGetsNothing) {
  // The real metalogger's registration and image come first; wait for them.
  ASSERT_TRUE(MasterLogSays("sending image")) << MasterLog();
  const size_t images = Count(MasterLog(), "sending image");
  for (const std::string& code : {std::string(), std::string("not-the-code")}) {
    Rogue rogue;
    ASSERT_TRUE(rogue.Connect(cluster_->master_metalogger_port(), proto::Role::kMetalogger).ok());
    // Without a code it asks for the changelog at once; with a wrong one it answers first.
    if (code.empty()) {
      ASSERT_TRUE(rogue.Send(proto::MltomaRegister{0}).ok());
    } else {
      ASSERT_TRUE(rogue.Answer(code).ok());
    }
    // No record and no image: only the refusal, then the close.
    auto refusal = rogue.Refusal();
    ASSERT_TRUE(refusal.ok()) << refusal.status().ToString();
    EXPECT_EQ(refusal->status, code.empty() ? Code::kNoPassword : Code::kBadPassword);
  }
  const std::string log = MasterLog();
  EXPECT_NE(log.find("refused: sent MLTOMA_REGISTER instead of the AUTH_CODE answer"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("refused: wrong AUTH_CODE"), std::string::npos) << log;
  EXPECT_EQ(Count(log, "sending image"), images) << log;
}

TEST_F(HostileAuth, RealChunkserverWithAWrongCodeIsRefusedAndSaysSo) {
  const std::string dir = cluster_->dir() + "/wrong";
  std::filesystem::create_directories(dir + "/hdd");
  {
    std::ofstream(dir + "/mfshdd.cfg") << dir << "/hdd\n";
    std::ofstream cfg(dir + "/mfschunkserver.cfg");
    cfg << "DATA_PATH = " << dir << "\nHDD_CONF_FILENAME = " << dir << "/mfshdd.cfg\n"
        << "MASTER_HOST = 127.0.0.1\nMASTER_PORT = " << cluster_->master_chunkserver_port()
        << "\nCSSERV_LISTEN_HOST = 127.0.0.1\nCSSERV_LISTEN_PORT = " << FreePort()
        << "\nHDD_LEAVE_SPACE_DEFAULT = 64MiB\nMASTER_RECONNECTION_DELAY = 1\n"
        << "AUTH_CODE = not-the-code\nWORKING_USER = " << getpwuid(geteuid())->pw_name << "\n";
  }
  auto cs = Process::Spawn(
      {Cluster::BinDir() + "/mfschunkserver", "-f", "-c", dir + "/mfschunkserver.cfg"},
      dir + "/cs.log");
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_TRUE(MasterLogSays("refused: wrong AUTH_CODE")) << MasterLog();
  EXPECT_TRUE(WaitFor(
      [&] {
        return ReadText(dir + "/cs.log")
                   .find("the master refused this chunkserver: wrong AUTH_CODE") !=
               std::string::npos;
      },
      5s))
      << ReadText(dir + "/cs.log");
  cs->Terminate();
  EXPECT_EQ(Count(MasterLog(), " registered with "), 2u);
}

TEST_F(HostileAuth, RegistrationClaimingANewerVersionChangesNothing) {
  const uint32_t inode = NewFile("kept", 2);
  const auto data = Pattern(1 << 20, 2);
  ASSERT_TRUE(io_->Write(inode, 0, data).ok());
  const proto::MatoclChunkInfo before = Chunk(inode);
  ASSERT_NE(before.chunkid, 0u);
  ASSERT_EQ(ValidCopies(inode), 2u);
  // The holders go away; a server that knows the code (a buggy or compromised one) claims
  // a newer version of the chunk while no valid copy is registered.
  ASSERT_EQ(cluster_->StopChunkserver(0), 0);
  ASSERT_EQ(cluster_->StopChunkserver(1), 0);
  ASSERT_TRUE(WaitFor([&] { return Chunk(inode).copies.empty(); }, 10s));
  Rogue rogue;
  ASSERT_TRUE(rogue.Connect(cluster_->master_chunkserver_port(), proto::Role::kChunkserver).ok());
  ASSERT_TRUE(rogue.Answer(kCode).ok());
  ASSERT_TRUE(rogue
                  .RegisterChunkserver(
                      4003, {{{.chunkid = before.chunkid, .version = before.version + 1000}}})
                  .ok());
  auto answer = rogue.RegistrationAnswer();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_EQ(answer->status, Code::kOk);
  const proto::MatoclChunkInfo claimed = Chunk(inode);
  EXPECT_EQ(claimed.version, before.version);
  ASSERT_EQ(claimed.copies.size(), 1u);
  EXPECT_FALSE(claimed.copies[0].valid);
  EXPECT_TRUE(MasterLogSays("1 copies with a version newer than the master's")) << MasterLog();
  // The real holders come back: their copies are the valid ones and the data is whole.
  ASSERT_TRUE(cluster_->StartChunkserver(0).ok());
  ASSERT_TRUE(cluster_->StartChunkserver(1).ok());
  ASSERT_TRUE(WaitFor([&] { return ValidCopies(inode) == 2; }, 20s)) << MasterLog();
  EXPECT_EQ(Chunk(inode).version, before.version);
  ChunkIo fresh(*session_);
  auto back = fresh.Read(inode, 0, static_cast<uint32_t>(data.size()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
}

TEST_F(HostileAuth, UnknownChunkFloodLeavesTheMasterResponsiveAndSmall) {
  const uint64_t rss_before = RssBytes(cluster_->master_pid());
  ASSERT_GT(rss_before, 0u);
  // Another client keeps asking while the flood is taken in.
  auto other = MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> slowest_ms{0};
  std::atomic<int> answered{0}, failed{0};
  std::thread asker([&] {
    while (!stop) {
      const auto t0 = std::chrono::steady_clock::now();
      auto st = (*other)->Statfs();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
      (st.ok() ? answered : failed)++;
      slowest_ms = std::max<int64_t>(slowest_ms, ms);
      std::this_thread::sleep_for(10ms);
    }
  });
  Rogue rogue;
  Status sent = rogue.Connect(cluster_->master_chunkserver_port(), proto::Role::kChunkserver);
  if (sent.ok()) sent = rogue.Answer(kCode);
  // Four batches of a million ids the master never made.
  constexpr uint64_t kPerBatch = 1000000, kBatches = 4;
  std::vector<std::vector<proto::ChunkVersion>> batches(kBatches);
  for (uint64_t b = 0; b < kBatches; ++b) {
    batches[b].reserve(kPerBatch);
    for (uint64_t i = 0; i < kPerBatch; ++i)
      batches[b].push_back({.chunkid = (uint64_t{1} << 40) + b * kPerBatch + i, .version = 1});
  }
  if (sent.ok()) sent = rogue.RegisterChunkserver(4004, batches);
  auto answer = sent.ok() ? rogue.RegistrationAnswer() : Result<proto::MatocsRegister>(sent);
  stop = true;
  asker.join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, Code::kOk);
  const uint64_t rss_after = RssBytes(cluster_->master_pid());
  std::printf(
      "flood of %llu unknown ids: master RSS %llu -> %llu KiB; %d requests of another "
      "client answered, the slowest in %lld ms\n",
      static_cast<unsigned long long>(kPerBatch * kBatches),
      static_cast<unsigned long long>(rss_before >> 10),
      static_cast<unsigned long long>(rss_after >> 10), answered.load(),
      static_cast<long long>(slowest_ms.load()));
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_LT(slowest_ms.load(), 1000) << "a client waited " << slowest_ms << " ms";
  EXPECT_LT(rss_after, rss_before + (uint64_t{64} << 20))
      << "RSS " << (rss_before >> 20) << " MiB -> " << (rss_after >> 20) << " MiB";
  EXPECT_TRUE(MasterLogSays("reported 4000000 chunks the master does not know; 100000 queued"))
      << MasterLog();
  // Still serving.
  auto st = session_->Statfs();
  EXPECT_TRUE(st.ok()) << st.status().ToString();
}

}  // namespace
}  // namespace elk::test
