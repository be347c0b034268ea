#include "master/monitor/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "master/monitor/prometheus_check.h"
#include "master/monitor/raw_http.h"
#include "master/monitor/test_snapshot.h"

namespace elk::master::monitor {
namespace {

using testing::RawExchange;
using testing::StatusOf;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    box_->Publish(std::make_shared<const Snapshot>(testing::SampleSnapshot()));
    auto http = HttpServer::Start(
        {.host = "127.0.0.1", .port = 0, .io_timeout = std::chrono::seconds(1)}, box_);
    ASSERT_TRUE(http.ok()) << http.status().ToString();
    http_ = std::move(*http);
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", http_->port());
    c.set_read_timeout(std::chrono::seconds(5));
    return c;
  }

  std::shared_ptr<SnapshotBox> box_ = std::make_shared<SnapshotBox>();
  std::unique_ptr<HttpServer> http_;
};

TEST_F(HttpServerTest, ServesEveryEndpoint) {
  auto c = Client();
  for (const char* path :
       {"/api/v1/info", "/api/v1/chunkservers", "/api/v1/disks", "/api/v1/sessions",
        "/api/v1/metaloggers", "/api/v1/chunks", "/api/v1/exports", "/api/v1/ops"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_TRUE(nlohmann::json::parse(r->body).is_object()) << path;
  }
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<table id='chunkservers'>"), std::string::npos);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(testing::ParsePrometheus(metrics->body).error, "");
}

TEST_F(HttpServerTest, ServesTheLatestSnapshot) {
  Snapshot next = testing::SampleSnapshot();
  next.info.files = 99;
  box_->Publish(std::make_shared<const Snapshot>(next));
  auto r = Client().Get("/api/v1/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["files"], 99);
}

TEST_F(HttpServerTest, RefusesWhatIsNotARead) {
  auto c = Client();
  auto post = c.Post("/api/v1/info", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto del = c.Delete("/");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto head = c.Head("/api/v1/info");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  for (const char* path : {"/nope", "/api/v1/passwd", "/api/v1/", "/api/v2/info", "/index.html"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
}

TEST_F(HttpServerTest, SurvivesHostileBytes) {
  uint16_t port = http_->port();
  EXPECT_EQ(StatusOf(RawExchange(
                port, "GET /../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            404);
  EXPECT_EQ(StatusOf(RawExchange(
                port, "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nConnection: close\r\n\r\n")),
            404);
  int garbage = StatusOf(RawExchange(port, std::string("\x00\xff\x13garbage\r\n\r\n", 14)));
  EXPECT_TRUE(garbage == 0 || (garbage >= 400 && garbage < 500)) << garbage;
  std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(256 * 1024, 'a') + "\r\n\r\n";
  int big = StatusOf(RawExchange(port, huge));
  EXPECT_TRUE(big == 0 || (big >= 400 && big < 500)) << big;
  int weird = StatusOf(RawExchange(port, "BREW / HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(weird >= 400 && weird < 500) << weird;
  std::string body = "POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\nxxxx";
  int large = StatusOf(RawExchange(port, body));
  EXPECT_TRUE(large >= 400 && large < 500) << large;
  // Still serving.
  auto r = Client().Get("/api/v1/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// One address holding its share of connections idle is refused more, quickly and with a
// reason; another address is still served at once.
TEST(HttpServerGateTest, CapsConnectionsPerAddress) {
  auto box = std::make_shared<SnapshotBox>();
  box->Publish(std::make_shared<const Snapshot>(testing::SampleSnapshot()));
  auto http = HttpServer::Start({.host = "127.0.0.1",
                                 .port = 0,
                                 .threads = 8,
                                 .io_timeout = std::chrono::seconds(10),
                                 .max_per_address = 3},
                                box);
  ASSERT_TRUE(http.ok()) << http.status().ToString();
  uint16_t port = (*http)->port();
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(testing::ConnectFrom("127.0.0.2", port));
    ASSERT_GE(idle.back(), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // taken up by threads
  int extra = testing::ConnectFrom("127.0.0.2", port);
  ASSERT_GE(extra, 0);
  auto start = std::chrono::steady_clock::now();
  std::string refused = testing::ReadAll(extra, std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  ::close(extra);
  start = std::chrono::steady_clock::now();
  int other = testing::ConnectFrom("127.0.0.3", port);
  ASSERT_GE(other, 0);
  std::string req = "GET /api/v1/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(other, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(StatusOf(testing::ReadAll(other, std::chrono::seconds(5))), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ::close(other);
  for (int fd : idle)
    ::close(fd);
}

// A client that sends its request a byte at a time, each within the read time-out, is
// still closed once the request time-out has passed since it began.
TEST_F(HttpServerTest, ClosesARequestThatTrickles) {
  int fd = testing::ConnectFrom("127.0.0.4", http_->port());
  ASSERT_GE(fd, 0);
  const std::string req = "GET /api/v1/info HTTP/1.1\r\nHost: x\r\n";
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < req.size() && !closed; ++i) {
    closed = ::send(fd, &req[i], 1, MSG_NOSIGNAL) != 1;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 300) > 0) {
      char c;
      closed = ::recv(fd, &c, 1, 0) <= 0;
    }
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, std::chrono::seconds(4));  // io_timeout is 1 s; the trickle would take ~12 s
  ::close(fd);
}

TEST(HttpServerStartTest, PortInUseIsAnError) {
  auto box = std::make_shared<SnapshotBox>();
  auto first = HttpServer::Start({.host = "127.0.0.1", .port = 0}, box);
  ASSERT_TRUE(first.ok());
  auto second = HttpServer::Start({.host = "127.0.0.1", .port = (*first)->port()}, box);
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace elk::master::monitor
