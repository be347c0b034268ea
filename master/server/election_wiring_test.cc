// mfsmaster in the etcd election, in-process against a real etcd (label `etcd`): the first
// master leads, the second follows it through the key's `follow` address, refuses
// MASTER_FOLLOW, and restarted in the same term resumes from its own files; a clean stop resigns
// and the follower leads at once in a higher epoch; a leader that loses etcd stops acknowledging,
// steps down, and leads again once etcd is back (it is the only candidate).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "master/ha/test_etcd.h"
#include "master/server/test_master.h"

namespace elk::master::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <typename Fn>
auto OnLoop(MasterServer& server, Fn fn) -> decltype(fn()) {
  std::promise<decltype(fn())> done;
  server.loop().Post([&] { done.set_value(fn()); });
  return done.get_future().get();
}

// Polls every 20 ms, at most `limit`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

struct Running {
  fs::path dir;
  std::unique_ptr<MasterServer> server;
  std::thread thread;

  void Stop() {
    if (!server) return;
    server->Stop();
    thread.join();
    server.reset();
  }
  ~Running() {
    Stop();
    if (!dir.empty()) fs::remove_all(dir);
  }
  bool Leads() {
    return OnLoop(*server, [&] { return !server->role().following(); }) && server->MayAcknowledge();
  }
  bool Streams() {
    return OnLoop(*server, [&] {
      return server->role().following() && server->leader_link() &&
             server->leader_link()->streaming();
    });
  }
  uint64_t Epoch() {
    return OnLoop(*server, [&] { return server->role().epoch; });
  }
};

class ElectionWiringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto etcd = ha::testing::EtcdServer::Start();
    ASSERT_TRUE(etcd.ok()) << etcd.status().ToString();
    etcd_ = std::move(*etcd);
  }

  // A master named `node`, in a new folder or in `dir` (a restart).
  std::unique_ptr<Running> Start(const std::string& node, const fs::path& dir = {}) {
    auto r = std::make_unique<Running>();
    r->dir = dir;
    if (dir.empty()) {
      r->dir = fs::temp_directory_path() / fmt::format("elk-election-{}-{}", ::getpid(), node);
      fs::remove_all(r->dir);
      fs::create_directories(r->dir);
    }
    MasterConfig c;
    c.data_path = r->dir.string();
    c.exports_text = kRwExports;
    c.matocl = {"127.0.0.1", 0};
    c.matocs = {"127.0.0.1", 0};
    c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = false;
    c.follow_reconnect_delay = 100ms;
    c.ha.etcd_endpoints = etcd_->url();
    c.ha.node_id = node;
    c.ha.lease_ttl = 2;
    c.ha.poll_interval = 100ms;
    auto s = MasterServer::Create(c);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    r->server = std::move(*s);
    r->thread = std::thread([raw = r.get()] { (void)raw->server->Run(); });
    return r;
  }

  std::unique_ptr<ha::testing::EtcdServer> etcd_;
};

TEST_F(ElectionWiringTest, FollowsTheElectedLeaderAndTakesOverWhenItStops) {
  auto a = Start("a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitFor([&] { return a->Leads(); }, 10s));
  auto b = Start("b");
  ASSERT_TRUE(b);
  // b follows a (through the key's follow address) and peers are sent there.
  ASSERT_TRUE(WaitFor([&] { return b->Streams(); }, 10s));
  EXPECT_FALSE(b->server->MayAcknowledge());
  const uint64_t first = a->Epoch();
  EXPECT_GT(first, 0u);
  EXPECT_EQ(b->Epoch(), first);
  auto refusal = OnLoop(*b->server, [&] {
    return b->server->role()
        .NotLeader(protocol::Role::kClient)
        .value_or(protocol::AntoanNotLeader{});
  });
  EXPECT_EQ(refusal.port, a->server->client_port());
  EXPECT_EQ(b->server->ReloadRole("127.0.0.1:1").code(), Code::kBadConfig);

  // Restarted in the same term, b resumes from its own files: no image this time.
  b->Stop();
  auto b_dir = b->dir;
  b->dir.clear();  // kept for the restart
  b.reset();
  b = Start("b", b_dir);
  ASSERT_TRUE(b);
  ASSERT_TRUE(WaitFor([&] { return b->Streams(); }, 10s));
  EXPECT_EQ(OnLoop(*b->server, [&] { return b->server->leader_link()->images_installed(); }), 0u);

  // A clean stop resigns: b need not wait for the lease.
  const auto stopped = Clock::now();
  a->Stop();
  ASSERT_TRUE(WaitFor([&] { return b->Leads(); }, 5s));
  const double took = std::chrono::duration<double>(Clock::now() - stopped).count();
  std::printf("[ measured ] from the leader's clean stop to the follower leading: %.2f s\n", took);
  EXPECT_LT(took, 1.5);
  EXPECT_GT(b->Epoch(), first);
}

TEST_F(ElectionWiringTest, ALeaderThatLosesEtcdStepsDownAndLeadsAgainWhenItReturns) {
  auto a = Start("a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(WaitFor([&] { return a->Leads(); }, 10s));
  const uint64_t first = a->Epoch();
  etcd_->Stop();
  // The lease cannot be renewed: by the deadline (TTL 2 s less its margin) it acknowledges
  // nothing, and on kLost it sends every peer away as a follower without a leader.
  ASSERT_TRUE(WaitFor([&] { return !a->server->MayAcknowledge(); }, 3s));
  ASSERT_TRUE(WaitFor(
      [&] { return OnLoop(*a->server, [&] { return a->server->role().following(); }); }, 5s));
  ASSERT_TRUE(etcd_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return a->Leads(); }, 15s));
  EXPECT_GT(a->Epoch(), first);
}

}  // namespace
}  // namespace elk::master::test
