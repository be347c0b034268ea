// EtcdClient against a real etcd (Debian's etcd-server), and against a fake HTTP server
// that answers garbage.
#include "master/ha/etcd_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "master/ha/test_etcd.h"
#include "tests/harness/process.h"

namespace elk::master::ha {
namespace {

using namespace std::chrono_literals;
using testing::EtcdServer;

class EtcdClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto etcd = EtcdServer::Start();
    ASSERT_TRUE(etcd.ok()) << etcd.status().ToString();
    etcd_ = std::move(*etcd);
    auto client = EtcdClient::Connect(etcd_->url(), 2s);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
  }
  std::unique_ptr<EtcdServer> etcd_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClientTest, LeaseGrantKeepAliveRevoke) {
  auto lease = client_->GrantLease(5);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_NE(lease->id, 0);
  EXPECT_EQ(lease->ttl, 5);
  auto ttl = client_->KeepAlive(lease->id);
  ASSERT_TRUE(ttl.ok()) << ttl.status().ToString();
  EXPECT_EQ(*ttl, 5);
  ASSERT_TRUE(client_->RevokeLease(lease->id).ok());
  ttl = client_->KeepAlive(lease->id);
  ASSERT_TRUE(ttl.ok()) << ttl.status().ToString();
  EXPECT_EQ(*ttl, 0);  // gone, and etcd says so without an error
  Status again = client_->RevokeLease(lease->id);
  EXPECT_TRUE(again.ok()) << again.ToString();
}

TEST_F(EtcdClientTest, EtcdRaisesATooShortTtl) {
  auto lease = client_->GrantLease(1);
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_GE(lease->ttl, 1);  // etcd 3.4 with default timings grants at least 2 s
}

TEST_F(EtcdClientTest, CreateIfAbsentOnlyOnce) {
  auto a = client_->GrantLease(10);
  auto b = client_->GrantLease(10);
  ASSERT_TRUE(a.ok() && b.ok());
  auto first = client_->CreateIfAbsent("/elkfs/leader", "node-a", a->id);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->kv.value, "node-a");
  EXPECT_EQ(first->kv.lease, a->id);
  auto second = client_->CreateIfAbsent("/elkfs/leader", "node-b", b->id);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->kv.value, "node-a");
  EXPECT_EQ(second->kv.create_revision, first->kv.create_revision);

  auto got = client_->Get("/elkfs/leader");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->create_revision, first->kv.create_revision);
  EXPECT_EQ((*got)->mod_revision, first->kv.mod_revision);
}

TEST_F(EtcdClientTest, DeleteIfModRevisionSparesASuccessor) {
  ASSERT_TRUE(client_->Put("/k", "one").ok());
  auto one = client_->Get("/k");
  ASSERT_TRUE(one.ok() && one->has_value());
  ASSERT_TRUE(client_->Put("/k", "two").ok());
  auto stale = client_->DeleteIfModRevision("/k", (*one)->mod_revision);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_FALSE(*stale);
  auto two = client_->Get("/k");
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ((*two)->value, "two");
  auto current = client_->DeleteIfModRevision("/k", (*two)->mod_revision);
  ASSERT_TRUE(current.ok());
  EXPECT_TRUE(*current);
  auto gone = client_->Get("/k");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(EtcdClientTest, RevokingALeaseDeletesItsKey) {
  auto lease = client_->GrantLease(10);
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(client_->CreateIfAbsent("/elkfs/leader", "x", lease->id).ok());
  ASSERT_TRUE(client_->RevokeLease(lease->id).ok());
  auto got = client_->Get("/elkfs/leader");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(EtcdClientTest, EtcdErrorsKeepTheirMessage) {
  // etcd sends these chunked with a trailer; the transport still reads the message.
  auto r = client_->CreateIfAbsent("/elkfs/leader", "x", 12345);
  EXPECT_EQ(r.code(), Code::kIo);
  EXPECT_NE(r.status().message().find("requested lease not found"), std::string::npos)
      << r.status().ToString();
}

TEST_F(EtcdClientTest, KeysAreBytes) {
  std::string key("/elkfs/\x00\xff\n key", 13);
  std::string value("\x01\x02\x00{\"", 5);
  ASSERT_TRUE(client_->Put(key, value).ok());
  auto got = client_->Get(key);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->key, key);
  EXPECT_EQ((*got)->value, value);
}

TEST_F(EtcdClientTest, GetPrefixReadsTheKeysUnderItOnly) {
  ASSERT_TRUE(client_->Put("/elkfs/candidates/b", "2").ok());
  ASSERT_TRUE(client_->Put("/elkfs/candidates/a", "1").ok());
  ASSERT_TRUE(client_->Put("/elkfs/candidates0", "next").ok());  // '0' follows '/'
  ASSERT_TRUE(client_->Put("/elkfs/candidate", "shorter").ok());
  auto got = client_->GetPrefix("/elkfs/candidates/");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].key, "/elkfs/candidates/a");
  EXPECT_EQ((*got)[0].value, "1");
  EXPECT_EQ((*got)[1].key, "/elkfs/candidates/b");
  auto none = client_->GetPrefix("/elkfs/nothing/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(client_->GetPrefix("").code(), Code::kInval);
}

TEST_F(EtcdClientTest, TriesTheNextEndpoint) {
  uint16_t dead = elk::test::FreePort();
  auto client =
      EtcdClient::Connect("http://127.0.0.1:" + std::to_string(dead) + "," + etcd_->url(), 1s);
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE((*client)->Put("/x", "y").ok()) << i;
  }
}

TEST_F(EtcdClientTest, NoEndpointAnswersInBoundedTime) {
  etcd_->Stop();
  auto client = EtcdClient::Connect(etcd_->url() + "," + etcd_->url(), 300ms);
  ASSERT_TRUE(client.ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*client)->Get("/x").code(), Code::kCantConnect);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// A server that speaks HTTP but not etcd.
class FakeGateway {
 public:
  FakeGateway() {
    server_.Post(".*", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      res.status = status_;
      res.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ~FakeGateway() {
    server_.stop();
    thread_.join();
  }
  void Answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  int status_ = 200;
  std::string body_;
};

TEST(EtcdClientFakeTest, GarbageAnswersAreErrors) {
  FakeGateway fake;
  auto client = EtcdClient::Connect(fake.url(), 2s);
  ASSERT_TRUE(client.ok());
  struct Case {
    int status;
    std::string body;
    Code code;
  };
  std::vector<Case> cases = {
      {200, "<html>not json</html>", Code::kProtocol},
      {200, std::string("\x00\xff\xfe", 3), Code::kProtocol},
      {200, "[1,2,3]", Code::kProtocol},
      {200, R"({"result":"x","ID":[],"TTL":{},"kvs":{},"succeeded":3})", Code::kProtocol},
      {404, "404 page not found", Code::kIo},
      {400, R"({"error":"bad","code":3})", Code::kIo},
      {503, "", Code::kIo},  // every endpoint answered 5xx: the last answer is the error
  };
  for (const Case& c : cases) {
    fake.Answer(c.status, c.body);
    EXPECT_EQ((*client)->GrantLease(5).code(), c.code) << c.status << " " << c.body;
    EXPECT_EQ((*client)->KeepAlive(1).code(), c.code) << c.status << " " << c.body;
    EXPECT_EQ((*client)->Get("/a").code(), c.code) << c.status << " " << c.body;
    EXPECT_EQ((*client)->CreateIfAbsent("/a", "v", 1).code(), c.code) << c.body;
    EXPECT_EQ((*client)->DeleteIfModRevision("/a", 1).code(), c.code) << c.body;
  }
}

// A server that does not speak HTTP at all: it answers every connection with bytes and
// closes it.
class GarbageServer {
 public:
  GarbageServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      return;
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~GarbageServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  void Serve() {
    const char kReply[] = "SSH-2.0-nope\r\n\x00\xff\r\n\r\n";
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;  // wakes to see stop_ at least every 50 ms
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      (void)!::write(c, kReply, sizeof(kReply) - 1);
      ::close(c);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(EtcdClientFakeTest, ANonHttpPeerIsAConnectionError) {
  GarbageServer garbage;
  ASSERT_NE(garbage.port(), 0);
  auto client = EtcdClient::Connect("http://127.0.0.1:" + std::to_string(garbage.port()), 1s);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->GrantLease(5).code(), Code::kCantConnect);
  EXPECT_EQ((*client)->Get("/a").code(), Code::kCantConnect);
  EXPECT_EQ((*client)->KeepAlive(1).code(), Code::kCantConnect);
}

}  // namespace
}  // namespace elk::master::ha
