#pragma once
// Test-only: a master in-process on 127.0.0.1 (ephemeral ports, a temporary DATA_PATH) and
// the requests its tests repeat. Peers are in test_peers.h.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "master/server/master_server.h"
#include "master/server/test_peers.h"

namespace elk::master::test {

namespace fs = std::filesystem;

inline constexpr char kRwExports[] = "127.0.0.1 / rw,alldirs,maproot=0\n";

class MasterServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("elk-master-test-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    StopServer();
    fs::remove_all(dir_);
  }

  // `prepare` runs before the server's loop starts (so it may change the metadata directly).
  void StartServer(const std::string& exports = kRwExports, const std::string& exports_path = "",
                   const std::function<void(MasterServer&)>& prepare = {}) {
    MasterConfig c;
    c.data_path = dir_.string();
    c.exports_text = exports;
    c.exports_path = exports_path;
    c.matocl = {"127.0.0.1", 0};
    c.matocs = {"127.0.0.1", 0};
    c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = false;
    if (configure_) configure_(c);
    auto s = MasterServer::Create(c);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    if (prepare) prepare(*server_);
    thread_ = std::thread([this] { (void)server_->Run(); });
  }
  void StopServer() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
    server_.reset();
  }
  TestClient Client() {
    TestClient c;
    EXPECT_TRUE(c.Hello(server_->client_port()).ok());
    return c;
  }
  std::string Changelog() const {
    std::ifstream in(dir_ / "changelog.0.mfs", std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
  std::function<void(MasterConfig&)> configure_;  // the next StartServer's config, changed
  std::unique_ptr<MasterServer> server_;
  std::thread thread_;
};

// A new file, mode 0644; `open`: also opened (read and write) for the session, as the
// mount creates.
inline protocol::CltomaCreate CreateReq(uint32_t parent, const std::string& name,
                                        bool open = false) {
  return protocol::CltomaCreate{0, parent, name, 0644, 022, {}, open ? uint8_t{1} : uint8_t{0}};
}

// Opens inode for the session as root (the master's checks pass): the session may then
// read (kOpenRead) or write (kOpenWrite) its chunks.
inline Status OpenAs(TestClient& c, uint32_t inode, uint8_t flags) {
  return c.Call<protocol::MatoclOpen>(protocol::CltomaOpen{0, inode, flags, {}}).status();
}

// Goal 1 for `inode`, opened for writing, then a write grant on its chunk 0, created on
// `cs`: the chunk id.
inline Result<uint64_t> GrantNewChunk(TestClient& c, test::FakeChunkserver& cs, uint32_t inode) {
  auto goal = c.Call<protocol::MatoclSetgoal>(
      protocol::CltomaSetgoal{0, inode, 1, protocol::SetMode::kSet, false, {}});
  if (!goal.ok()) return goal.status();
  ELK_RETURN_IF_ERROR(OpenAs(c, inode, protocol::kOpenRead | protocol::kOpenWrite));
  ELK_RETURN_IF_ERROR(c.Send(protocol::CltomaWriteChunk{c.next_msgid(), inode, 0}));
  auto chunk = cs.AnswerCreate();
  if (!chunk.ok()) return chunk.status();
  auto grant = c.Receive<protocol::MatoclWriteChunk>();
  if (!grant.ok()) return grant.status();
  return chunk;
}

}  // namespace elk::master::test
