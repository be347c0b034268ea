// The durability gate alone: a reply leaves only after commit; a failed commit sends
// nothing and reports the failure.
#include "master/server/reply_gate.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/net/listener.h"
#include "common/net/loop_thread.h"
#include "common/protocol/matocl.h"
#include "master/server/test_peers.h"

namespace elk::master {
namespace {

using namespace std::chrono_literals;
namespace proto = protocol;

class ReplyGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(io_.Start().ok());
    port_ = io_.Call([this] {
      gate_ = std::make_unique<ReplyGate>(
          io_.loop(),
          [this] {
            commits_++;
            return fail_ ? Status(Code::kIo, "disk gone") : Status::Ok();
          },
          [this](const Status&) {
            failures_++;
            if (conn_) conn_->Close();
          });
      auto l = net::Listener::Create(
          io_.loop(), {net::kLoopbackIp, 0},
          [this](net::UniqueFd fd, net::Address peer) { Accept(std::move(fd), peer); });
      EXPECT_TRUE(l.ok());
      listener_ = std::move(*l);
      return listener_->port();
    });
  }
  void TearDown() override {
    io_.Call([this] {
      listener_.reset();
      conn_.reset();
      gate_.reset();
    });
    io_.Stop();
  }
  void Accept(net::UniqueFd fd, net::Address peer) {
    auto c = net::Connection::Create(
        io_.loop(), std::move(fd), peer, {},
        {.on_frame =
             [this](net::Connection&, const proto::FrameView& f) {
               auto m = proto::Decode<proto::CltomaStatfs>(f.payload);
               if (!m.ok()) return m.status();
               // Two replies in one turn: one commit covers both.
               gate_->Reply(conn_, proto::MatoclStatus{m->msgid, Code::kOk});
               gate_->Reply(conn_, proto::MatoclStatus{m->msgid + 1, Code::kOk});
               EXPECT_EQ(commits_.load(), commits_before_);
               return Status::Ok();
             },
         .on_close = {},
         .on_pressure = {}});
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
  }

  net::LoopThread io_;
  std::unique_ptr<ReplyGate> gate_;
  std::unique_ptr<net::Listener> listener_;
  std::shared_ptr<net::Connection> conn_;
  std::atomic<int> commits_{0};
  int commits_before_ = 0;
  std::atomic<int> failures_{0};
  bool fail_ = false;
  uint16_t port_ = 0;
};

TEST_F(ReplyGateTest, RepliesLeaveAfterOneCommit) {
  auto c = net::BlockingClient::Connect({net::kLoopbackIp, port_}, 5000ms);
  ASSERT_TRUE(c.ok());
  auto req = proto::EncodePayload(proto::CltomaStatfs{7});
  ASSERT_TRUE(c->Send(proto::CLTOMA_STATFS, *req).ok());
  auto r1 = c->Receive(5000ms);
  auto r2 = c->Receive(5000ms);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(commits_.load(), 1);
  EXPECT_EQ(proto::Decode<proto::MatoclStatus>(r1->payload)->msgid, 7u);
  EXPECT_EQ(proto::Decode<proto::MatoclStatus>(r2->payload)->msgid, 8u);
}

TEST_F(ReplyGateTest, FailedCommitSendsNothing) {
  io_.Call([this] { fail_ = true; });
  auto c = net::BlockingClient::Connect({net::kLoopbackIp, port_}, 5000ms);
  ASSERT_TRUE(c.ok());
  auto req = proto::EncodePayload(proto::CltomaStatfs{7});
  ASSERT_TRUE(c->Send(proto::CLTOMA_STATFS, *req).ok());
  auto r = c->Receive(5000ms);
  EXPECT_EQ(r.code(), Code::kDisconnected);
  EXPECT_EQ(failures_.load(), 1);
}

// A master that cannot prove its lease (the guard) sends nothing and does not commit, but
// does not stop: the refusal is reported, not a changelog failure.
TEST_F(ReplyGateTest, RefusedGuardSendsNothingAndCommitsNothing) {
  std::atomic<int> refused{0};
  io_.Call([&] {
    gate_->set_guard([] { return Status(Code::kNotLeader, "lease not held"); },
                     [&](const Status& why) {
                       EXPECT_EQ(why.code(), Code::kNotLeader);
                       refused++;
                       if (conn_) conn_->Close(why);
                     });
  });
  auto c = net::BlockingClient::Connect({net::kLoopbackIp, port_}, 5000ms);
  ASSERT_TRUE(c.ok());
  auto req = proto::EncodePayload(proto::CltomaStatfs{7});
  ASSERT_TRUE(c->Send(proto::CLTOMA_STATFS, *req).ok());
  auto r = c->Receive(5000ms);
  EXPECT_EQ(r.code(), Code::kDisconnected);
  EXPECT_EQ(refused.load(), 1);
  EXPECT_EQ(commits_.load(), 0);
  EXPECT_EQ(failures_.load(), 0);
  EXPECT_EQ(io_.Call([this] { return gate_->refusals(); }), 1u);
}

}  // namespace
}  // namespace elk::master
