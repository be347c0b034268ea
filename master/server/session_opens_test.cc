// Open counts across reconnects (docs/client.md, "Open files across reconnects"): a session
// that resumes on a new connection gives its account of its opens (CLTOMA_SESSION_OPENS),
// which trims the master's counts - an OPEN applied but unanswered and a RELEASE lost on the
// way leave nothing behind - and never grants an open.
#include <gtest/gtest.h>

#include <future>

#include "master/server/test_master.h"

namespace elk::master {
namespace {

namespace proto = protocol;
using test::CreateReq;
using test::MasterServerTest;
using test::OpenAs;
using test::TestClient;

constexpr char kExports[] = "127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n";

class SessionOpensTest : public MasterServerTest {
 protected:
  // Runs f on the master's loop thread (the metadata's only thread) and returns its value.
  template <typename F>
  auto OnLoop(F f) {
    std::promise<decltype(f())> done;
    server_->loop().Post([&] { done.set_value(f()); });
    return done.get_future().get();
  }
  // The master's count of the session's descriptors of inode.
  uint32_t MasterCount(uint32_t inode, uint32_t session) {
    return OnLoop([&] {
      for (auto [open, count] : server_->metadata().ns().OpensOf(session))
        if (open == inode) return count;
      return uint32_t{0};
    });
  }
  size_t Reserved() {
    return OnLoop([&] { return server_->metadata().ns().ListReserved().size(); });
  }
  // Waits (bounded) until the master counts `want` descriptors.
  bool CountBecomes(uint32_t inode, uint32_t session, uint32_t want) {
    for (int i = 0; i < 200; ++i) {
      if (MasterCount(inode, session) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // A new connection resuming `session`.
  TestClient Resume(uint32_t session, proto::Role role = proto::Role::kClient) {
    TestClient c;
    EXPECT_TRUE(c.Connect(server_->client_port(), role).ok());
    auto reg = c.Register("/", "", session);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return c;
  }
};

proto::CltomaSessionOpens Account(uint32_t inode, uint32_t count, uint8_t mode) {
  return proto::CltomaSessionOpens{0, {proto::OpenedFile{inode, count, mode}}};
}

constexpr uint8_t kRw = proto::kOpenRead | proto::kOpenWrite;

TEST_F(SessionOpensTest, AnUnansweredOpenAndALostReleaseLeaveNoCount) {
  StartServer(kExports);
  TestClient c1 = Client();
  auto reg = c1.Register("/");
  ASSERT_TRUE(reg.ok());
  const uint32_t sid = reg->session_id;
  auto made = c1.Call<proto::MatoclCreate>(CreateReq(1, "tmp", /*open=*/true));
  ASSERT_TRUE(made.ok());
  const uint32_t inode = made->attr.inode;
  ASSERT_TRUE(c1.Call<proto::MatoclSettrashtime>(
                    proto::CltomaSettrashtime{0, inode, 0, proto::SetMode::kSet, false, {}})
                  .ok());
  // The client's truth: one descriptor (the create's). An OPEN the master applies whose
  // answer is never read: the connection drops first.
  ASSERT_TRUE(c1.Send(proto::CltomaOpen{c1.next_msgid(), inode, proto::kOpenRead, {}}).ok());
  ASSERT_TRUE(CountBecomes(inode, sid, 2));
  c1.Close();

  // Resumed: the account first, then the open is retried and counted once.
  TestClient c2 = Resume(sid);
  ASSERT_TRUE(c2.Do(Account(inode, 1, kRw)).ok());
  EXPECT_EQ(MasterCount(inode, sid), 1u);
  ASSERT_TRUE(OpenAs(c2, inode, proto::kOpenRead).ok());
  EXPECT_EQ(MasterCount(inode, sid), 2u);  // the client's truth: 2
  ASSERT_TRUE(c2.Do(proto::CltomaUnlink{0, 1, "tmp", {}}).ok());
  EXPECT_EQ(Reserved(), 1u);

  // One descriptor closes, but its RELEASE is lost with the connection (the truth: 1).
  c2.Close();
  TestClient c3 = Resume(sid);
  ASSERT_TRUE(c3.Do(Account(inode, 1, kRw)).ok());
  EXPECT_EQ(MasterCount(inode, sid), 1u);
  EXPECT_EQ(Reserved(), 1u);  // still open by the client's truth
  ASSERT_TRUE(c3.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(MasterCount(inode, sid), 0u);
  EXPECT_EQ(Reserved(), 0u);
  EXPECT_EQ(c3.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, {}}).code(), Code::kNoEnt);
  // One record carries each account that changed something; replay runs the same trim.
  EXPECT_NE(Changelog().find("|OPENS(" + std::to_string(sid) + ","), std::string::npos);
}

TEST_F(SessionOpensTest, AnAccountThatLacksAReservedFileFreesIt) {
  StartServer(kExports);
  TestClient c1 = Client();
  auto reg = c1.Register("/");
  ASSERT_TRUE(reg.ok());
  const uint32_t sid = reg->session_id;
  auto made = c1.Call<proto::MatoclCreate>(CreateReq(1, "tmp", /*open=*/true));
  ASSERT_TRUE(made.ok());
  const uint32_t inode = made->attr.inode;
  ASSERT_TRUE(c1.Call<proto::MatoclSettrashtime>(
                    proto::CltomaSettrashtime{0, inode, 0, proto::SetMode::kSet, false, {}})
                  .ok());
  ASSERT_TRUE(c1.Do(proto::CltomaUnlink{0, 1, "tmp", {}}).ok());
  EXPECT_EQ(Reserved(), 1u);
  c1.Close();  // its only RELEASE lost
  TestClient c2 = Resume(sid);
  ASSERT_TRUE(c2.Do(proto::CltomaSessionOpens{}).ok());
  EXPECT_EQ(MasterCount(inode, sid), 0u);
  EXPECT_EQ(Reserved(), 0u);
}

TEST_F(SessionOpensTest, AnAccountNeverGrants) {
  StartServer(kExports);
  TestClient c = Client();
  auto reg = c.Register("/");
  ASSERT_TRUE(reg.ok());
  const uint32_t sid = reg->session_id;
  auto made = c.Call<proto::MatoclCreate>(CreateReq(1, "f"));
  ASSERT_TRUE(made.ok());
  const uint32_t inode = made->attr.inode;
  ASSERT_TRUE(c.Do(Account(inode, 5, kRw)).ok());
  EXPECT_EQ(MasterCount(inode, sid), 0u);
  EXPECT_EQ(c.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, inode, 0}).code(),
            Code::kNotOpened);
  // Opened for reading, an account claiming writing too does not add it.
  ASSERT_TRUE(OpenAs(c, inode, proto::kOpenRead).ok());
  ASSERT_TRUE(c.Do(Account(inode, 3, kRw)).ok());
  EXPECT_EQ(MasterCount(inode, sid), 1u);
  EXPECT_EQ(c.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, inode, 0}).code(),
            Code::kNotOpened);
}

TEST_F(SessionOpensTest, AResumeClosesTheOwnersOlderConnectionsNotAJoinedTool) {
  StartServer(kExports);
  TestClient c1 = Client();
  auto reg = c1.Register("/");
  ASSERT_TRUE(reg.ok());
  const uint32_t sid = reg->session_id;
  // A tool joins the mount's session: the mount's connection stays, and the tool owns no
  // opens to account for.
  TestClient tool = Resume(sid, proto::Role::kTool);
  EXPECT_EQ(tool.Do(proto::CltomaSessionOpens{}).code(), Code::kPerm);
  EXPECT_TRUE(c1.Call<proto::MatoclStatfs>(proto::CltomaStatfs{}).ok());
  // The owner resumes elsewhere: what its old connection still carries is not applied.
  TestClient c2 = Resume(sid);
  EXPECT_FALSE(c1.Call<proto::MatoclStatfs>(proto::CltomaStatfs{}).ok());
  EXPECT_TRUE(c2.Call<proto::MatoclStatfs>(proto::CltomaStatfs{}).ok());
  EXPECT_TRUE(tool.Call<proto::MatoclStatfs>(proto::CltomaStatfs{}).ok());
}

}  // namespace
}  // namespace elk::master
