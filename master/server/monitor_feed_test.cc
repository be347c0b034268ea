// The monitor inside an embedded mfsmaster: on only when asked, served from the loop's
// snapshots while the loop runs; and the export rules written back as text.
#include "master/server/monitor_feed.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/cfg/config_file.h"
#include "common/daemon/process_setup.h"
#include "master/cli/fetch.h"
#include "master/server/master_server.h"
#include "master/server/test_peers.h"

namespace elk::master {
namespace {

namespace fs = std::filesystem;

class MonitorFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("elk-monitor-feed-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
      server_.reset();
    }
    fs::remove_all(dir_);
  }
  void Start(std::optional<ListenAddress> http) {
    MasterConfig c;
    c.data_path = dir_.string();
    c.exports_text = "127.0.0.1 / rw,alldirs,maproot=0\n10.0.0.0/8 . ro,password=x,mingoal=2\n";
    c.matocl = c.matocs = c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = false;
    c.http = http;
    auto s = MasterServer::Create(c);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    thread_ = std::thread([this] { (void)server_->Run(); });
  }

  fs::path dir_;
  std::unique_ptr<MasterServer> server_;
  std::thread thread_;
};

TEST_F(MonitorFeedTest, OffUnlessConfigured) {
  Start(std::nullopt);
  EXPECT_EQ(server_->http_port(), 0);
}

TEST_F(MonitorFeedTest, ServesWhileTheLoopRuns) {
  Start(ListenAddress{"127.0.0.1", 0});
  ASSERT_NE(server_->http_port(), 0);
  httplib::Client c("127.0.0.1", server_->http_port());
  c.set_read_timeout(std::chrono::seconds(5));
  auto info = c.Get("/api/v1/info");
  ASSERT_TRUE(info);
  ASSERT_EQ(info->status, 200);
  auto j = nlohmann::json::parse(info->body);
  EXPECT_EQ(j["directories"], 1);  // the root
  EXPECT_EQ(j["chunkservers"], 0);
  auto ex = c.Get("/api/v1/exports");
  ASSERT_TRUE(ex);
  auto rules = nlohmann::json::parse(ex->body)["exports"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0]["address"], "127.0.0.1");
  EXPECT_EQ(rules[0]["options"], "rw,alldirs,maproot=0:0");
  EXPECT_EQ(rules[1]["address"], "10.0.0.0-10.255.255.255");
  EXPECT_EQ(rules[1]["options"], "ro,maproot=999:999,password,mingoal=2");  // never the password
}

// MooseFS's mfscli and CGI read the master on its client port: any page, no session, and
// with the HTTP server off too (HTTP_LISTEN_PORT = 0, the port left to an mfscgiserv).
TEST_F(MonitorFeedTest, TheClientPortServesThePagesWithoutASession) {
  Start(std::nullopt);
  test::TestClient reader;
  ASSERT_TRUE(reader.Connect(server_->client_port(), protocol::Role::kMonitor).ok());
  auto info = reader.Call<protocol::MatoclMonitor>(protocol::CltomaMonitor{0, "/api/v1/info", ""});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->http_status, 200);
  EXPECT_EQ(nlohmann::json::parse(info->body)["directories"], 1);
  auto page = reader.Call<protocol::MatoclMonitor>(protocol::CltomaMonitor{0, "/mfs.cgi", "EX"});
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->body.find("<table id='exports'"), std::string::npos);
  EXPECT_EQ(page->body.find("<table id='chunkservers'"), std::string::npos);
  auto missing = reader.Call<protocol::MatoclMonitor>(protocol::CltomaMonitor{0, "/nothing", ""});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->http_status, 404);
  // A monitor reader reads pages, nothing else: no session, no file system.
  auto reg = reader.Register("/");
  EXPECT_EQ(reg.code(), Code::kPerm);
  // mfscli's reader gets the same.
  auto j = cli::FetchSection("127.0.0.1", server_->client_port(), "exports", 5);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["exports"].size(), 2u);
}

// Pages are rendered on the loop: past kPagesPerSecond between two snapshots the answer is
// 503, so no connection can make the loop spend more than that on them.
TEST_F(MonitorFeedTest, PagesPerSecondAreCapped) {
  Start(std::nullopt);
  test::TestClient reader;
  ASSERT_TRUE(reader.Connect(server_->client_port(), protocol::Role::kMonitor).ok());
  int served = 0, busy = 0;
  // A snapshot (which resets the count) comes once a second: 60 quick requests meet at most
  // one or two, so at least 20 of them find the budget spent.
  for (int i = 0; i < 3 * static_cast<int>(MonitorFeed::kPagesPerSecond); ++i) {
    auto p = reader.Call<protocol::MatoclMonitor>(protocol::CltomaMonitor{0, "/", ""});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    (p->http_status == 200 ? served : busy)++;
  }
  EXPECT_GE(served, static_cast<int>(MonitorFeed::kPagesPerSecond));
  EXPECT_GT(busy, 0);
}

nlohmann::json GetJson(uint16_t port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(std::chrono::seconds(5));
  auto r = c.Get(path);
  if (!r || r->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(r->body, nullptr, false);
}

// Polls the published snapshot (once a second) until `done`; bounded to 10 s.
template <typename F>
bool WaitFor(F done) {
  for (int i = 0; i < 100; i++) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// A chunkserver that reports its disks shows one row each; one that never does (an older
// version) shows none, and the note says so; a server's rows go when it disconnects.
TEST_F(MonitorFeedTest, DisksAsTheChunkserversReportThem) {
  Start(ListenAddress{"127.0.0.1", 0});
  const uint16_t http = server_->http_port();
  test::FakeChunkserver reporting, silent;
  ASSERT_TRUE(reporting.Register(server_->chunkserver_port(), 19422, {}).ok());
  ASSERT_TRUE(silent.Register(server_->chunkserver_port(), 19423, {}).ok());
  protocol::CstomaDisks disks{.disks = {{.path = "/srv/a",
                                         .used_space = 100,
                                         .total_space = 1000,
                                         .chunk_count = 7,
                                         .scrub_on = true,
                                         .scrub_done = 7,
                                         .scrub_total = 7},
                                        {.path = "/srv/b",
                                         .state = protocol::DiskState::kDamaged,
                                         .errors = 3,
                                         .last_error = "pread: EIO",
                                         .last_error_time = 1234}}};
  ASSERT_TRUE(reporting.Send(disks).ok());
  ASSERT_TRUE(WaitFor([&] { return GetJson(http, "/api/v1/disks")["disks"].size() == 2; }))
      << GetJson(http, "/api/v1/disks").dump();
  nlohmann::json j = GetJson(http, "/api/v1/disks");
  EXPECT_EQ(j["disks"][0]["chunkserver"], "127.0.0.1:19422");
  EXPECT_EQ(j["disks"][0]["path"], "/srv/a");
  EXPECT_EQ(j["disks"][0]["state"], "ok");
  EXPECT_EQ(j["disks"][0]["chunks"], 7);
  EXPECT_DOUBLE_EQ(j["disks"][0]["scrub_percent"].get<double>(), 100.0);
  EXPECT_EQ(j["disks"][1]["state"], "damaged");
  EXPECT_EQ(j["disks"][1]["last_error"], "pread: EIO");
  EXPECT_EQ(j["disks"][1]["last_error_time"], 1234);
  EXPECT_NE(j["note"].get<std::string>().find("1 connected chunkserver reported no disks"),
            std::string::npos)
      << j.dump();

  // A newer report replaces the old one whole; the byte counters' moves since the first
  // report reach the running totals of the history.
  disks.disks.pop_back();
  disks.disks[0].bytes_read = 4096;
  disks.disks[0].bytes_written = 1000;
  ASSERT_TRUE(reporting.Send(disks).ok());
  ASSERT_TRUE(WaitFor([&] { return GetJson(http, "/api/v1/disks")["disks"].size() == 1; }));
  j = GetJson(http, "/api/v1/disks");
  EXPECT_EQ(j["disks"][0]["bytes_read"], 4096);
  EXPECT_EQ(j["disks"][0]["bytes_written"], 1000);
  ASSERT_TRUE(WaitFor([&] {
    return GetJson(http, "/api/v1/history")["totals"]["bytes_read"] == 4096;
  })) << GetJson(http, "/api/v1/history").dump();
  EXPECT_EQ(GetJson(http, "/api/v1/history")["totals"]["bytes_written"], 1000);

  reporting.Close();
  ASSERT_TRUE(WaitFor([&] { return GetJson(http, "/api/v1/disks")["disks"].empty(); }))
      << GetJson(http, "/api/v1/disks").dump();
}

cfg::Schema Keys() {
  cfg::Schema s = MasterKeys();
  s.Merge(daemon::CommonDaemonKeys("mfsmaster"));
  return s;
}

// HTTP clients that connect and then send nothing hold every HTTP thread; the loop must not
// notice: it runs posted work at once and keeps publishing snapshots.
TEST_F(MonitorFeedTest, StalledHttpClientsDoNotStallTheLoop) {
  Start(ListenAddress{"127.0.0.1", 0});
  std::vector<int> stalled;
  for (int i = 0; i < 6; i++) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_->http_port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_GT(::send(fd, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL), 0);  // and never the rest
    stalled.push_back(fd);
  }
  for (int round = 0; round < 3; round++) {
    std::promise<void> ran;
    auto start = std::chrono::steady_clock::now();
    server_->loop().Post([&ran] { ran.set_value(); });
    ASSERT_EQ(ran.get_future().wait_for(std::chrono::seconds(1)), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  for (int fd : stalled)
    ::close(fd);
}

TEST(MonitorConfigTest, PortZeroTurnsTheMonitorOff) {
  cfg::ConfigFile on(Keys());
  ASSERT_TRUE(on.LoadString("DATA_PATH = /tmp\nHTTP_LISTEN_HOST = 127.0.0.1\n").ok());
  auto c = MasterConfigFrom(on);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->http.has_value());
  EXPECT_EQ(c->http->port, 9425);
  EXPECT_EQ(c->http->host, "127.0.0.1");
  cfg::ConfigFile off(Keys());
  ASSERT_TRUE(off.LoadString("DATA_PATH = /tmp\nHTTP_LISTEN_PORT = 0\n").ok());
  auto d = MasterConfigFrom(off);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->http.has_value());
}

TEST(ExportTextTest, AddressForms) {
  EXPECT_EQ(ExportAddressText({0, UINT32_MAX}), "*");
  EXPECT_EQ(ExportAddressText({0x7f000001, 0x7f000001}), "127.0.0.1");
  EXPECT_EQ(ExportAddressText({0x0a000000, 0x0a0000ff}), "10.0.0.0-10.0.0.255");
}

}  // namespace
}  // namespace elk::master
