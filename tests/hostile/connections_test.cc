// No peer can exhaust a server (docs/security.md, "Connection limits"): frames announced
// big before the hello, clients that ask without reading, floods of connections and
// silent ones, against the real mfsmaster and mfschunkserver with a FUSE mount.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/net/address.h"
#include "common/net/blocking_client.h"
#include "common/net/unique_fd.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocl.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

namespace proto = protocol;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The master's resident memory in KiB (VmRSS), 0 if unreadable.
uint64_t RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

// A TCP connection to 127.0.0.1:port from `from` (any 127.x.y.z), with send and receive
// time-outs so no call blocks the test for long.
net::UniqueFd Dial(uint16_t port, const char* from = "127.0.0.1") {
  net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  timeval tv{.tv_sec = 1, .tv_usec = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &local.sin_addr);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return {};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return {};
  return fd;
}

// Sends what it can (bounded by the socket time-out); false when the peer refused it.
bool SendSome(int fd, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::vector<uint8_t> Header(uint32_t type, uint32_t length) {
  std::vector<uint8_t> h(proto::kFrameHeaderSize);
  proto::EncodeFrameHeader({type, length}, h.data());
  return h;
}

template <typename M>
std::vector<uint8_t> Frame(const M& m) {
  auto f = proto::EncodeFrame(m);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? std::move(*f) : std::vector<uint8_t>{};
}

// Whether the server closed the connection, seen without reading what it sent: a close with
// our requests unread arrives as a reset (POLLERR/POLLHUP); an orderly one as POLLRDHUP.
bool ClosedByServer(int fd, milliseconds wait) {
  pollfd p{.fd = fd, .events = POLLRDHUP, .revents = 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) > 0 &&
         (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// Whether the server closed it, reading (and dropping) what it sent, up to `wait`.
bool DrainsToClose(int fd, milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  std::vector<uint8_t> sink(64 << 10);
  while (Clock::now() < deadline) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ssize_t n = ::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectMountWorks(const Cluster& c, const std::string& name) {
  const std::string path = c.mount_point() + "/" + name;
  const std::string data(3 << 20, 'e');
  {
    std::ofstream out(path, std::ios::binary);
    out << data;
  }
  EXPECT_EQ(ReadFile(path), data) << "the mount no longer works";
}

std::unique_ptr<Cluster> StartCluster(ClusterOptions o) {
  auto c = Cluster::Start(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(HostileConnections, BigFramesBeforeTheHelloCostTheMasterNothing) {
  auto c = StartCluster(
      {.chunkservers = 1, .mount = true, .master_cfg = {{"MAX_CONNECTIONS_PER_IP", "2000"}}});
  ASSERT_NE(c, nullptr);
  ExpectMountWorks(*c, "before");
  const uint64_t before = RssKib(c->master_pid());
  ASSERT_GT(before, 0u);
  // 500 peers each announce the largest frame a client request may be once registered
  // (SETXATTR, 64 KiB and a little) and send most of it, then go quiet. (A larger type of
  // another link is refused at its header by type: ARegisteredClientCannotAnnounce...)
  const std::vector<uint8_t> head = Header(proto::CLTOMA_SETXATTR, proto::kBlockData);
  const std::vector<uint8_t> body(60 << 10, 0xAB);
  std::vector<net::UniqueFd> peers;
  for (int i = 0; i < 500; ++i) {
    net::UniqueFd fd = Dial(c->client_port());
    ASSERT_TRUE(fd.valid()) << "connection " << i;
    if (SendSome(fd.get(), head)) (void)SendSome(fd.get(), body);
    peers.push_back(std::move(fd));
  }
  std::this_thread::sleep_for(seconds(1));
  const uint64_t after = RssKib(c->master_pid());
  EXPECT_LT(after, before + 100 * 1024) << "master RSS " << before << " KiB -> " << after;
  int closed = 0;
  for (auto& fd : peers)
    closed += ClosedByServer(fd.get(), milliseconds(10)) ? 1 : 0;
  EXPECT_EQ(closed, 500) << "every such connection is closed at its header";
  ExpectMountWorks(*c, "after");
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("before the hello"), std::string::npos);

  // The chunkserver's data port does the same.
  net::UniqueFd cs = Dial(c->chunkserver_port(0));
  ASSERT_TRUE(cs.valid());
  (void)SendSome(cs.get(), Header(proto::CLTOCS_WRITE_DATA, 60000));
  EXPECT_TRUE(DrainsToClose(cs.get(), seconds(3)));
}

// A raw client session on the master: hello, registration of "/", and a LOOKUP.
class RawSession {
 public:
  explicit RawSession(uint16_t port) {
    auto c = net::BlockingClient::Connect(net::Address{net::kLoopbackIp, port}, milliseconds(3000));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) client_ = std::make_unique<net::BlockingClient>(std::move(*c));
  }
  bool Register() {
    if (!client_ || !Send(proto::MakeHello(proto::Role::kClient, "hostile"))) return false;
    if (!Receive<proto::AntoanHello>().ok()) return false;
    if (!Send(proto::CltomaRegisterSession{.msgid = 1, .export_path = "/"})) return false;
    auto r = Receive<proto::MatoclRegisterSession>();
    if (!r.ok()) return false;
    root_ = r->root_inode;
    return true;
  }
  uint32_t Lookup(const std::string& name) {
    if (!Send(proto::CltomaLookup{.msgid = 2, .parent = root_, .name = name})) return 0;
    auto r = Receive<proto::MatoclLookup>();
    return r.ok() ? r->attr.inode : 0;
  }
  // Creates `count` files in `parent`, the requests pipelined in batches.
  bool CreateFiles(uint32_t parent, int count) {
    constexpr int kBatch = 1000;
    for (int first = 0; first < count; first += kBatch) {
      const int n = std::min(kBatch, count - first);
      std::vector<uint8_t> batch;
      for (int i = first; i < first + n; ++i) {
        auto f = Frame(proto::CltomaMknod{.msgid = static_cast<uint32_t>(10 + i),
                                          .parent = parent,
                                          .name = "f" + std::to_string(i),
                                          .mode = 0644});
        batch.insert(batch.end(), f.begin(), f.end());
      }
      if (!client_->SendRaw(batch).ok()) return false;
      for (int i = 0; i < n; ++i) {
        if (!Receive<proto::MatoclMknod>().ok()) return false;
      }
    }
    return true;
  }
  int fd() const { return client_->fd(); }

 private:
  template <typename M>
  bool Send(const M& m) {
    auto p = proto::EncodePayload(m);
    return p.ok() && client_->Send(M::kType, *p).ok();
  }
  template <typename M>
  Result<M> Receive() {
    auto f = client_->Receive(milliseconds(3000));
    if (!f.ok()) return f.status();
    if (f->type != M::kType) return Status(Code::kProtocol, std::string(proto::TypeName(f->type)));
    return proto::Decode<M>(proto::FrameView{f->type, f->payload});
  }
  std::unique_ptr<net::BlockingClient> client_;
  uint32_t root_ = 1;
};

TEST(HostileConnections, ARegisteredClientCannotAnnounceMoreThanItsRequestsNeed) {
  auto c = StartCluster({.chunkservers = 1, .master_cfg = {{"MAX_CONNECTIONS_PER_IP", "2000"}}});
  ASSERT_NE(c, nullptr);
  const uint64_t before = RssKib(c->master_pid());
  // 200 registered sessions each announce a 16 MiB frame of a type another link may send
  // that big (a reply's, a chunkserver's) and send 512 KiB of it; 200 more a STATFS of
  // 1 KiB (its limit is 256 bytes). Each is closed at its header.
  struct Case {
    uint32_t type;
    uint32_t length;
  };
  const Case cases[] = {{proto::MATOCL_READDIR, 16u << 20},
                        {proto::CSTOMA_REGISTER_CHUNKS, 16u << 20},
                        {proto::CLTOMA_STATFS, 1024}};
  const std::vector<uint8_t> body(512 << 10, 0xCD);
  std::vector<std::unique_ptr<RawSession>> sessions;
  for (int i = 0; i < 300; ++i) {
    const Case& k = cases[i % 3];
    auto s = std::make_unique<RawSession>(c->client_port());
    ASSERT_TRUE(s->Register()) << "session " << i;
    if (SendSome(s->fd(), Header(k.type, k.length))) {
      (void)SendSome(s->fd(), std::span(body).first(std::min<size_t>(body.size(), k.length)));
    }
    sessions.push_back(std::move(s));
  }
  std::this_thread::sleep_for(seconds(1));
  const uint64_t after = RssKib(c->master_pid());
  EXPECT_LT(after, before + 100 * 1024) << "master RSS " << before << " KiB -> " << after;
  int closed = 0;
  for (auto& s : sessions)
    closed += DrainsToClose(s->fd(), milliseconds(200)) ? 1 : 0;
  EXPECT_EQ(closed, 300);
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("unknown frame type 2022"), std::string::npos);  // MATOCL_READDIR
  EXPECT_NE(log.find("frame type 1023 of 1024 bytes is over its limit of 256"), std::string::npos);
  // A session that keeps to the limits is served as before.
  RawSession fine(c->client_port());
  ASSERT_TRUE(fine.Register());
  EXPECT_EQ(fine.Lookup("nothing-here"), 0u);
}

TEST(HostileConnections, AClientThatAsksWithoutReadingIsThrottledThenClosed) {
  auto c =
      StartCluster({.chunkservers = 1, .mount = true, .master_cfg = {{"MATOCL_TIMEOUT", "4"}}});
  ASSERT_NE(c, nullptr);
  const std::string big = c->mount_point() + "/big";
  const std::string small = c->mount_point() + "/small";
  ASSERT_EQ(::mkdir(big.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(small.c_str(), 0755), 0);
  {
    RawSession filler(c->client_port());
    ASSERT_TRUE(filler.Register());
    ASSERT_TRUE(filler.CreateFiles(filler.Lookup("big"), 10000));
    ASSERT_TRUE(filler.CreateFiles(filler.Lookup("small"), 100));
  }
  const uint64_t before = RssKib(c->master_pid());

  RawSession hostile(c->client_port());
  ASSERT_TRUE(hostile.Register());
  const uint32_t folder = hostile.Lookup("big");
  ASSERT_NE(folder, 0u);
  // 20,000 READDIRs of the 10,000-entry folder (some 13 GB of answers), never read.
  std::vector<uint8_t> asks;
  for (uint32_t i = 0; i < 20000; ++i) {
    auto f = Frame(proto::CltomaReaddir{.msgid = 100 + i, .inode = folder});
    asks.insert(asks.end(), f.begin(), f.end());
  }
  size_t sent = 0;
  const auto send_deadline = Clock::now() + seconds(5);
  while (sent < asks.size() && Clock::now() < send_deadline) {
    ssize_t n =
        ::send(hostile.fd(), asks.data() + sent, asks.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) sent += static_cast<size_t>(n);
    if (n < 0 && errno != EAGAIN && errno != EINTR) break;
    if (n <= 0) std::this_thread::sleep_for(milliseconds(5));
  }
  std::cerr << "sent " << sent << " of " << asks.size() << " bytes of READDIRs\n";

  // Meanwhile the mount is served: listing a folder takes well under a second.
  for (int round = 0; round < 3; ++round) {
    const auto start = Clock::now();
    DIR* d = ::opendir(small.c_str());
    ASSERT_NE(d, nullptr);
    int entries = 0;
    while (::readdir(d) != nullptr)
      ++entries;
    ::closedir(d);
    const auto took = Clock::now() - start;
    EXPECT_EQ(entries, 102);
    EXPECT_LT(took, seconds(1)) << "ls took "
                                << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
    std::this_thread::sleep_for(milliseconds(300));
  }
  const uint64_t during = RssKib(c->master_pid());
  EXPECT_LT(during, before + 200 * 1024) << "master RSS " << before << " KiB -> " << during;
  // Not read from while it does not read: its connection falls silent and is closed.
  EXPECT_TRUE(ClosedByServer(hostile.fd(), seconds(10)));
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("nothing received for"), std::string::npos);
  ExpectMountWorks(*c, "still");
}

TEST(HostileConnections, CapsRefuseTheExtraConnectionsAndSaySo) {
  auto c =
      StartCluster({.chunkservers = 1,
                    .master_cfg = {{"MAX_CONNECTIONS", "31"}, {"MAX_CONNECTIONS_PER_IP", "20"}}});
  ASSERT_NE(c, nullptr);
  const std::vector<uint8_t> hello = Frame(proto::MakeHello(proto::Role::kClient, "hostile"));
  auto open_with_hello = [&](const char* from) {
    net::UniqueFd fd = Dial(c->client_port(), from);
    EXPECT_TRUE(fd.valid());
    if (fd.valid()) {
      EXPECT_TRUE(SendSome(fd.get(), hello));
    }
    return fd;
  };
  std::vector<net::UniqueFd> a, b;
  for (int i = 0; i < 20; ++i)
    a.push_back(open_with_hello("127.0.0.1"));
  for (int i = 0; i < 10; ++i)
    b.push_back(open_with_hello("127.0.0.2"));
  std::this_thread::sleep_for(milliseconds(300));
  // The kernel accepts each; the master closes the ones over a cap at once.
  net::UniqueFd over_ip = Dial(c->client_port(), "127.0.0.1");  // a 21st from one address
  ASSERT_TRUE(over_ip.valid());
  EXPECT_TRUE(DrainsToClose(over_ip.get(), seconds(3)));
  b.push_back(open_with_hello("127.0.0.3"));                       // the 31st in all
  net::UniqueFd over_total = Dial(c->client_port(), "127.0.0.4");  // a 32nd
  ASSERT_TRUE(over_total.valid());
  EXPECT_TRUE(DrainsToClose(over_total.get(), seconds(3)));
  int still_open = 0;
  for (auto* group : {&a, &b}) {
    for (auto& fd : *group)
      still_open += ClosedByServer(fd.get(), milliseconds(1)) ? 0 : 1;
  }
  EXPECT_EQ(still_open, 31);
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("MAX_CONNECTIONS_PER_IP reached"), std::string::npos);
  EXPECT_NE(log.find("MAX_CONNECTIONS reached"), std::string::npos);
  // A connection that closes gives its place back.
  a.resize(15);
  std::this_thread::sleep_for(milliseconds(300));
  net::UniqueFd again = open_with_hello("127.0.0.1");
  EXPECT_FALSE(DrainsToClose(again.get(), milliseconds(500)));
}

TEST(HostileConnections, SilentConnectionsAreClosedOnEveryPort) {
  auto c = StartCluster({.chunkservers = 1,
                         .master_cfg = {{"HELLO_TIMEOUT", "1"}, {"MATOCL_TIMEOUT", "2"}},
                         .chunkserver_cfg = {{"HELLO_TIMEOUT", "1"}, {"CSSERV_TIMEOUT", "30"}}});
  ASSERT_NE(c, nullptr);
  const auto start = Clock::now();
  net::UniqueFd client = Dial(c->client_port());      // says nothing
  net::UniqueFd data = Dial(c->chunkserver_port(0));  // says nothing
  net::UniqueFd quiet = Dial(c->client_port());       // says hello, then nothing
  ASSERT_TRUE(client.valid() && data.valid() && quiet.valid());
  ASSERT_TRUE(SendSome(quiet.get(), Frame(proto::MakeHello(proto::Role::kClient, "hostile"))));
  EXPECT_TRUE(DrainsToClose(client.get(), seconds(4)));
  EXPECT_TRUE(DrainsToClose(data.get(), seconds(4)));
  EXPECT_LT(Clock::now() - start, seconds(4)) << "closed at the hello time-out, not later";
  // A hello is not a session: the pre-registration time-out applies to a client as well.
  EXPECT_TRUE(DrainsToClose(quiet.get(), seconds(5)));
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("no hello within"), std::string::npos);
}

}  // namespace
}  // namespace elk::test
