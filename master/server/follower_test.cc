// Two masters in-process: a follower (MASTER_FOLLOW) downloads the leader's image, applies
// its records as they come and matches its state; its ports send peers to the leader; it
// restarts from its own folder and catches up; promoted, it serves what it followed.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/changelog/record.h"
#include "common/crc/crc32c.h"
#include "common/protocol/mltoma.h"
#include "master/server/test_master.h"

namespace elk::master::test {
namespace {

namespace proto = protocol;

// Runs fn on server's loop and waits for its answer.
template <typename Fn>
auto OnLoop(MasterServer& server, Fn fn) -> decltype(fn()) {
  std::promise<decltype(fn())> done;
  server.loop().Post([&] { done.set_value(fn()); });
  return done.get_future().get();
}

std::string StateText(MasterServer& s) {
  return OnLoop(s, [&] {
    return fmt::format("# version {}\n{}{}", s.metadata().version(), s.metadata().ns().Dump(),
                       s.metadata().DumpChunks());
  });
}

uint64_t VersionOf(MasterServer& s) {
  return OnLoop(s, [&] { return s.metadata().version(); });
}

class FollowerTest : public MasterServerTest {
 protected:
  void TearDown() override {
    StopFollower();
    MasterServerTest::TearDown();
    fs::remove_all(follower_dir());
  }
  fs::path follower_dir() const { return dir_.string() + "-follower"; }
  void StartFollower() {
    fs::create_directories(follower_dir());
    MasterConfig c;
    c.data_path = follower_dir().string();
    c.exports_text = kRwExports;
    c.matocl = {"127.0.0.1", 0};
    c.matocs = {"127.0.0.1", 0};
    c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = false;
    c.follow = fmt::format("127.0.0.1:{}", server_->metalogger_port());
    c.follow_reconnect_delay = std::chrono::milliseconds(100);
    c.http = ListenAddress{"127.0.0.1", 0};
    auto s = MasterServer::Create(c);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    follower_ = std::move(*s);
    follower_thread_ = std::thread([this] { (void)follower_->Run(); });
  }
  void StopFollower() {
    if (!follower_) return;
    follower_->Stop();
    follower_thread_.join();
    follower_.reset();
  }
  // Waits (at most 10 s) until the follower holds the leader's version.
  bool CaughtUp() {
    const uint64_t want = VersionOf(*server_);
    for (int i = 0; i < 500; ++i) {
      if (VersionOf(*follower_) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // Some namespace work on the leader: folders, files, renames, deletions.
  void Work(TestClient& c, int round) {
    auto d = c.Call<proto::MatoclMkdir>(
        proto::CltomaMkdir{0, 1, fmt::format("d{}", round), 0755, 022, {}});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(
          c.Call<proto::MatoclCreate>(CreateReq(d->attr.inode, fmt::format("f{}", i))).ok());
    }
    ASSERT_TRUE(c.Do(proto::CltomaRename{0,
                                         d->attr.inode,
                                         "f1",
                                         1,
                                         fmt::format("moved{}", round),
                                         {},
                                         proto::RenameMode::kReplace})
                    .ok());
    ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, d->attr.inode, "f2", {}}).ok());
  }

  std::unique_ptr<MasterServer> follower_;
  std::thread follower_thread_;
};

TEST_F(FollowerTest, FollowsTheLeaderAndRefusesPeersWithItsAddress) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  Work(c, 0);
  StartFollower();  // after some history: it starts from the image
  Work(c, 1);
  Work(c, 2);
  ASSERT_TRUE(CaughtUp());
  EXPECT_EQ(StateText(*follower_), StateText(*server_));
  EXPECT_EQ(OnLoop(*follower_, [&] { return follower_->leader_link()->images_installed(); }), 1u);
  EXPECT_EQ(OnLoop(*follower_, [&] { return follower_->role().following(); }), true);

  // Every port of the follower answers a hello with the leader's matching port.
  for (auto [port, role, want] :
       {std::tuple{follower_->client_port(), proto::Role::kClient, server_->client_port()},
        std::tuple{follower_->chunkserver_port(), proto::Role::kChunkserver,
                   server_->chunkserver_port()},
        std::tuple{follower_->metalogger_port(), proto::Role::kMetalogger,
                   server_->metalogger_port()}}) {
    Peer p;
    ASSERT_TRUE(p.Connect(port, role).ok());
    auto m = p.Receive<proto::AntoanNotLeader>();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->host, "127.0.0.1");
    EXPECT_EQ(m->port, want) << proto::RoleName(role);
  }
}

// /api/v1/info: role, epoch, the leader followed and the lag (refreshed every second).
TEST_F(FollowerTest, TheMonitorShowsTheRoleAndTheLag) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  StartFollower();
  Work(c, 0);
  ASSERT_TRUE(CaughtUp());
  const uint64_t version = VersionOf(*server_);
  httplib::Client http("127.0.0.1", follower_->http_port());
  http.set_read_timeout(std::chrono::seconds(5));
  nlohmann::json j;
  for (int i = 0; i < 60; ++i) {  // the snapshot is refreshed every second
    auto r = http.Get("/api/v1/info");
    ASSERT_TRUE(r);
    j = nlohmann::json::parse(r->body);
    if (j["metadata_version"] == version && j["leader_connected"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(j["role"], "follower");
  EXPECT_EQ(j["epoch"], 0);
  EXPECT_EQ(j["leader"], fmt::format("127.0.0.1:{}", server_->metalogger_port()));
  EXPECT_EQ(j["leader_connected"], true);
  EXPECT_EQ(j["metadata_version"], version);
  EXPECT_EQ(j["leader_version"], version);
  EXPECT_EQ(j["lag_records"], 0);
  EXPECT_EQ(j["lag_seconds"], 0);
  // Promoted, it says so.
  ASSERT_TRUE(OnLoop(*follower_, [&] { return follower_->BecomeLeader(3); }).ok());
  for (int i = 0; i < 60 && j["role"] != "leader"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    j = nlohmann::json::parse(http.Get("/api/v1/info")->body);
  }
  EXPECT_EQ(j["role"], "leader");
  EXPECT_EQ(j["epoch"], 3);
  EXPECT_FALSE(j.contains("lag_records"));
}

TEST_F(FollowerTest, RestartsFromItsOwnFolderAndCatchesUp) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  StartFollower();
  Work(c, 0);
  ASSERT_TRUE(CaughtUp());
  StopFollower();  // a clean stop: metadata.mfs at its version
  Work(c, 1);
  StartFollower();
  Work(c, 2);
  ASSERT_TRUE(CaughtUp());
  EXPECT_EQ(StateText(*follower_), StateText(*server_));
  // It resumed from the version it held: no image this time.
  EXPECT_EQ(OnLoop(*follower_, [&] { return follower_->leader_link()->images_installed(); }), 0u);
}

TEST_F(FollowerTest, PromotedItServesWhatItFollowed) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  StartFollower();
  Work(c, 0);
  ASSERT_TRUE(CaughtUp());
  const std::string state = StateText(*server_);
  StopServer();  // the leader is gone
  Status s = OnLoop(*follower_, [&] { return follower_->BecomeLeader(7); });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(StateText(*follower_), state);
  TestClient after;
  ASSERT_TRUE(after.Hello(follower_->client_port()).ok());
  ASSERT_TRUE(after.Register("/").ok());
  auto look = after.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "moved0", {}});
  ASSERT_TRUE(look.ok()) << look.status().ToString();
  // It now logs its own records after the followed ones.
  auto d = after.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "new", 0755, 022, {}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(OnLoop(*follower_, [&] { return follower_->role().epoch; }), 7u);
}

// A reload's MASTER_FOLLOW that does not parse changes no role (a typo must not demote the
// leader); a good one on the follower, emptied, promotes it.
TEST_F(FollowerTest, AReloadWithABadFollowKeepsTheRole) {
  StartServer();
  for (const char* bad : {"127.0.0.1:notaport", "127.0.0.1:99999"}) {
    EXPECT_FALSE(server_->ReloadRole(bad).ok()) << bad;
  }
  EXPECT_FALSE(OnLoop(*server_, [&] { return server_->role().following(); }));
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  Work(c, 0);  // the follower's version can only match once it has the leader's image
  StartFollower();
  ASSERT_TRUE(CaughtUp());
  ASSERT_TRUE(follower_->ReloadRole("").ok());
  bool leads = false;
  for (int i = 0; i < 250 && !leads; ++i) {
    leads = !OnLoop(*follower_, [&] { return follower_->role().following(); });
    if (!leads) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(leads);
}

// A leader told to follow drops its clients and takes the other's history from its image,
// whatever it had of its own.
TEST_F(FollowerTest, ALeaderToldToFollowTakesTheOthersHistory) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  Work(c, 0);
  StartFollower();
  ASSERT_TRUE(CaughtUp());
  // The follower is promoted while the old leader still runs, and gets work of its own.
  ASSERT_TRUE(OnLoop(*follower_, [&] { return follower_->BecomeLeader(2); }).ok());
  Work(c, 1);  // on the old leader: records the new one never gets
  TestClient n;
  ASSERT_TRUE(n.Hello(follower_->client_port()).ok());
  ASSERT_TRUE(n.Register("/").ok());
  Work(n, 5);
  // The old leader follows the new one.
  const uint16_t to = follower_->metalogger_port();
  ASSERT_TRUE(OnLoop(*server_, [&] { return server_->FollowLeader("127.0.0.1", to, 2); }).ok());
  EXPECT_FALSE(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "d0", {}}).ok());
  bool same = false;
  for (int i = 0; i < 500 && !same; ++i) {
    same = VersionOf(*server_) == VersionOf(*follower_) &&
           StateText(*server_) == StateText(*follower_);
    if (!same) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(same);
  EXPECT_EQ(OnLoop(*server_, [&] { return server_->role().epoch; }), 2u);
}

// A hand-made leader on a raw socket: one connection, frames written and read by hand.
// A follower master as the leader sees it: registered, caught up, and committing only when
// the test says so (MLTOMA_APPLIED).
struct SilentFollower : Peer {
  Status Join(MasterServer& leader) {
    ELK_RETURN_IF_ERROR(Connect(leader.metalogger_port(), proto::Role::kMaster));
    if (auto ch = Receive<proto::AntoanAuthChallenge>(); !ch.ok()) return ch.status();
    ELK_RETURN_IF_ERROR(Send(proto::AntoanAuthAnswer{}));
    ELK_RETURN_IF_ERROR(Send(proto::MltomaRegister{VersionOf(leader)}));
    return Send(proto::MltomaApplied{VersionOf(leader)});
  }
};

// MASTER_SYNC_FOLLOWERS (1 by default): a reply leaves only once the follower has committed
// the change.
TEST_F(FollowerTest, AReplyWaitsUntilTheFollowerHasCommittedTheChange) {
  configure_ = [](MasterConfig& c) { c.sync_timeout = std::chrono::seconds(20); };
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  SilentFollower follower;
  ASSERT_TRUE(follower.Join(*server_).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto mkdir = std::async(std::launch::async, [&] {
    return c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "held", 0755, 022, {}}).ok();
  });
  EXPECT_EQ(mkdir.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "acknowledged before the follower had it";
  ASSERT_TRUE(follower.Send(proto::MltomaApplied{VersionOf(*server_)}).ok());
  ASSERT_EQ(mkdir.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(mkdir.get());
}

// A real follower commits and says so as the records come: every reply waits for it, none
// waits long, and the follower holds every change a client was told of.
TEST_F(FollowerTest, ARealFollowerKeepsInStepAndHoldsEveryAcknowledgedChange) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  StartFollower();
  Work(c, 0);
  ASSERT_TRUE(CaughtUp());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, fmt::format("s{}", i), 0755, 022, {}})
            .ok());
    ASSERT_GE(VersionOf(*follower_), VersionOf(*server_)) << "mkdir " << i;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(OnLoop(*server_, [&] { return server_->metaloggers().quorum().members(); }), 1);
}

// A follower that stops answering holds a reply for MASTER_SYNC_TIMEOUT, then is left out of
// the count (nothing waits for it) until it has caught up again.
TEST_F(FollowerTest, AFollowerThatFallsSilentIsLeftOutAfterTheTimeOut) {
  configure_ = [](MasterConfig& c) { c.sync_timeout = std::chrono::milliseconds(400); };
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  SilentFollower follower;
  ASSERT_TRUE(follower.Join(*server_).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto timed_mkdir = [&](const std::string& name) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, name, 0755, 022, {}}).ok());
    return std::chrono::steady_clock::now() - start;
  };
  const auto waited = timed_mkdir("a");  // waits the time-out for the silent follower
  EXPECT_GE(waited, std::chrono::milliseconds(350));
  EXPECT_LT(waited, std::chrono::milliseconds(3000));
  EXPECT_EQ(OnLoop(*server_, [&] { return server_->metaloggers().quorum().members(); }), 0);
  EXPECT_LT(timed_mkdir("b"), std::chrono::milliseconds(300));  // left out: nothing waits
  // Caught up again, it counts again.
  ASSERT_TRUE(follower.Send(proto::MltomaApplied{VersionOf(*server_)}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(timed_mkdir("c"), std::chrono::milliseconds(350));
}

// After a fail-over a metalogger may hold the old leader's last records, which the new
// leader never had (its versions then name other changes): past the version the new leader
// began at, records of another term are replaced by an image; the shared history streams on.
TEST_F(FollowerTest, AMetaloggerHoldingAnotherTermsTailGetsAnImage) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  StartFollower();
  Work(c, 0);
  ASSERT_TRUE(CaughtUp());
  // Read in the same loop turn as the promotion: the new leader may log records of its own
  // right after (of its term, past the version it began at).
  uint64_t led_from = 0;
  ASSERT_TRUE(OnLoop(*follower_, [&] {
                Status s = follower_->BecomeLeader(3);
                led_from = follower_->metadata().version();
                return s;
              }).ok());
  auto registered = [&](uint64_t last, uint64_t epoch) -> Result<proto::MatomlRegister> {
    Peer ml;
    ELK_RETURN_IF_ERROR(ml.Connect(follower_->metalogger_port(), proto::Role::kMetalogger));
    if (auto ch = ml.Receive<proto::AntoanAuthChallenge>(); !ch.ok()) return ch.status();
    ELK_RETURN_IF_ERROR(ml.Send(proto::AntoanAuthAnswer{}));
    ELK_RETURN_IF_ERROR(ml.Send(proto::MltomaRegister{last, epoch}));
    return ml.Receive<proto::MatomlRegister>();
  };
  auto tail = registered(led_from + 2, 2);  // the old leader's term, past the shared history
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(tail->status, Code::kWrongVersion);
  EXPECT_EQ(tail->epoch, 3u);
  auto shared = registered(led_from, 2);  // the history both terms share
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(shared->status, Code::kOk);
  EXPECT_EQ(shared->epoch, 3u);
}

class FakeLeader {
 public:
  FakeLeader() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~FakeLeader() {
    if (fd_ >= 0) ::close(fd_);
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  void Accept() {
    timeval tv{10, 0};
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    ASSERT_GE(fd_, 0);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  template <typename M>
  void Send(const M& m) {
    auto f = proto::EncodeFrame(m);
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(::send(fd_, f->data(), f->size(), MSG_NOSIGNAL), static_cast<ssize_t>(f->size()));
  }
  // The next frame's type (0 on a timeout or a close), skipping keep-alives.
  uint32_t NextType() {
    for (;;) {
      uint8_t h[8];
      if (!ReadAll(h, 8)) return 0;
      const uint32_t type =
          (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
      const uint32_t len =
          (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
      std::vector<uint8_t> body(len);
      if (len > 0 && !ReadAll(body.data(), len)) return 0;
      if (type != proto::ANTOAN_NOP) return type;
    }
  }

 private:
  bool ReadAll(uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The last line of a changelog's text, with its newline.
std::string LastLine(const std::string& text) {
  const size_t start = text.rfind('\n', text.size() - 2);
  return start == std::string::npos ? text : text.substr(start + 1);
}

// Waits (at most 10 s) until s holds version `want`.
bool WaitVersion(MasterServer& s, uint64_t want) {
  for (int i = 0; i < 500; ++i) {
    if (VersionOf(s) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

proto::MatomlChangelog RecordFrame(const std::string& line) {
  proto::MatomlChangelog m;
  auto rec = changelog::ParseRecord(std::string_view(line).substr(0, line.size() - 1));
  m.version = rec->version;
  m.record = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(line.data()), line.size());
  return m;
}

// A record that does not follow (a gap) makes the follower ask for a new image at once,
// having applied nothing out of order.
TEST_F(FollowerTest, AGapInTheStreamStartsAResync) {
  StartServer();  // only for its image and records
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  Work(c, 0);
  auto img = OnLoop(*server_, [&] { return server_->metadata().MakeImage(1000); });
  ASSERT_TRUE(img.ok());
  auto bytes = image::Encode(*img);
  ASSERT_TRUE(bytes.ok());
  const uint64_t v = img->version;

  FakeLeader leader;
  fs::create_directories(follower_dir());
  MasterConfig cfg;
  cfg.data_path = follower_dir().string();
  cfg.exports_text = kRwExports;
  cfg.matocl = cfg.matocs = cfg.matoml = {"127.0.0.1", 0};
  cfg.changelog_sync = false;
  cfg.follow = fmt::format("127.0.0.1:{}", leader.port());
  auto s = MasterServer::Create(cfg);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  follower_ = std::move(*s);
  follower_thread_ = std::thread([this] { (void)follower_->Run(); });

  leader.Accept();
  leader.Send(proto::MakeHello(proto::Role::kMaster, "fake"));
  leader.Send(proto::AntoanAuthChallenge{});
  ASSERT_EQ(leader.NextType(), proto::ANTOAN_HELLO);
  ASSERT_EQ(leader.NextType(), proto::ANTOAN_AUTH_ANSWER);
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_REGISTER);
  leader.Send(proto::MatomlRegister{Code::kWrongVersion, v});
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_DOWNLOAD_START);
  leader.Send(proto::MatomlDownloadStart{Code::kOk, bytes->size(), v});
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_DOWNLOAD_CHUNK);
  leader.Send(proto::MatomlDownloadChunk{
      0,
      crc::Crc32c(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size())),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size())});
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_DOWNLOAD_END);
  // v + 1 (the leader's next real record) applies; then v + 3 is a gap.
  ASSERT_TRUE(c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "g", 0755, 022, {}}).ok());
  const std::string next = LastLine(Changelog());
  ASSERT_EQ(changelog::ParseRecord(next.substr(0, next.size() - 1))->version, v + 1);
  leader.Send(RecordFrame(next));
  ASSERT_TRUE(WaitVersion(*follower_, v + 1));
  // Committed, the follower says so: the leader may be holding the mkdir's reply for it.
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_APPLIED);
  const std::string gap = changelog::FormatRecord(v + 3, "1000|PURGE(99)");
  leader.Send(RecordFrame(gap));
  ASSERT_EQ(leader.NextType(), proto::MLTOMA_DOWNLOAD_START);
  EXPECT_EQ(VersionOf(*follower_), v + 1);  // nothing applied out of order
  EXPECT_EQ(OnLoop(*follower_, [&] { return follower_->leader_link()->resyncs(); }), 1u);
}

}  // namespace
}  // namespace elk::master::test
