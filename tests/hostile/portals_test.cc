// No peer can exhaust a server, on the ports beside the master's protocol ones: mfsiscsid's
// iSCSI portal (caps per address and in total, a login deadline, no buffer for a data
// segment announced before login) and the master's HTTP monitor (a cap on the connections
// it holds). Real programs, 127.0.0.1 only.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/net/unique_fd.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A TCP connection to 127.0.0.1:port from `from`; blocking with 1 s time-outs, or (when
// !wait) a connect started and not waited for.
net::UniqueFd Dial(uint16_t port, const char* from = "127.0.0.1", bool wait = true) {
  net::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (wait ? 0 : SOCK_NONBLOCK), 0));
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
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 &&
      (wait || errno != EINPROGRESS)) {
    return {};
  }
  return fd;
}

// Whether the server closed it (reading and dropping what it sent), up to `wait`.
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

bool StillOpen(int fd) {
  pollfd p{.fd = fd, .events = POLLRDHUP, .revents = 0};
  return ::poll(&p, 1, 0) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t OpenFds(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

uint64_t RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

std::unique_ptr<Cluster> StartCluster(ClusterOptions o) {
  auto c = Cluster::Start(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// mfsiscsid against the cluster's master, its portal on a free port.
struct Target {
  Process process;
  uint16_t port = 0;
  std::string log;
};

Target StartTarget(const Cluster& c, const std::string& extra_cfg) {
  Target t;
  t.port = FreePort();
  const std::string dir = c.dir() + "/iscsid";
  std::filesystem::create_directories(dir);
  std::ofstream(c.dir() + "/mfsiscsid.cfg")
      << "DATA_PATH = " << dir << "\nWORKING_USER = root\n"
      << "MASTER_HOST = 127.0.0.1\nMASTER_PORT = " << c.client_port() << "\n"
      << "ISCSI_LISTEN_HOST = 127.0.0.1\nISCSI_LISTEN_PORT = " << t.port << "\n"
      << "WORKER_THREADS = 4\n"
      << extra_cfg;
  t.log = c.dir() + "/mfsiscsid.log";
  auto p = Process::Spawn(
      {Cluster::BinDir() + "/mfsiscsid", "-f", "-c", c.dir() + "/mfsiscsid.cfg"}, t.log);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (p.ok()) t.process = std::move(*p);
  EXPECT_TRUE(WaitForPort(t.port, seconds(15))) << ReadFile(t.log);
  return t;
}

TEST(HostilePortals, TheIscsiPortalCapsConnectionsAndClosesThoseThatDoNotLogIn) {
  auto c = StartCluster({.chunkservers = 1});
  ASSERT_NE(c, nullptr);
  Target t =
      StartTarget(*c, "MAX_CONNECTIONS = 8\nMAX_CONNECTIONS_PER_IP = 5\nLOGIN_TIMEOUT = 3\n");
  ASSERT_TRUE(t.process.Alive());
  std::this_thread::sleep_for(milliseconds(300));  // WaitForPort's own probe is reaped
  const auto start = Clock::now();
  std::vector<net::UniqueFd> held;
  for (int i = 0; i < 5; ++i)
    held.push_back(Dial(t.port, "127.0.0.1"));
  for (int i = 0; i < 2; ++i)
    held.push_back(Dial(t.port, "127.0.0.2"));
  std::this_thread::sleep_for(milliseconds(300));
  net::UniqueFd over_ip = Dial(t.port, "127.0.0.1");  // a 6th from one address (7 in all)
  ASSERT_TRUE(over_ip.valid());
  EXPECT_TRUE(DrainsToClose(over_ip.get(), seconds(1)));
  held.push_back(Dial(t.port, "127.0.0.2"));  // the 8th in all
  for (auto& fd : held)
    ASSERT_TRUE(fd.valid());
  std::this_thread::sleep_for(milliseconds(300));
  net::UniqueFd over_total = Dial(t.port, "127.0.0.3");  // a 9th in all
  ASSERT_TRUE(over_total.valid());
  EXPECT_TRUE(DrainsToClose(over_total.get(), seconds(1)));
  int open = 0;
  for (auto& fd : held)
    open += StillOpen(fd.get()) ? 1 : 0;
  EXPECT_EQ(open, 8) << "the connections under the caps are kept";
  EXPECT_LT(Clock::now() - start, seconds(3)) << "the caps were checked before the deadline";
  // None of them logs in: each is closed at LOGIN_TIMEOUT (3 s, checked every 200 ms).
  for (auto& fd : held)
    EXPECT_TRUE(DrainsToClose(fd.get(), seconds(5)));
  EXPECT_LT(Clock::now() - start, seconds(6));
  const std::string log = ReadFile(t.log);
  EXPECT_NE(log.find("MAX_CONNECTIONS_PER_IP reached"), std::string::npos) << log;
  EXPECT_NE(log.find("MAX_CONNECTIONS reached"), std::string::npos) << log;
  EXPECT_NE(log.find("no login within 3000 ms"), std::string::npos) << log;
  // Said once, as it is: not also as if the initiator had closed it.
  EXPECT_EQ(log.find("initiator closed"), std::string::npos) << log;
  // The places came back.
  held.clear();
  std::this_thread::sleep_for(milliseconds(500));
  net::UniqueFd again = Dial(t.port, "127.0.0.1");
  ASSERT_TRUE(again.valid());
  EXPECT_FALSE(DrainsToClose(again.get(), milliseconds(500)));
  EXPECT_EQ(t.process.Terminate(), 0);
}

TEST(HostilePortals, ADataSegmentAnnouncedBeforeLoginIsNeverAllocated) {
  auto c = StartCluster({.chunkservers = 1});
  ASSERT_NE(c, nullptr);
  Target t = StartTarget(*c, "MAX_CONNECTIONS_PER_IP = 1000\n");
  ASSERT_TRUE(t.process.Alive());
  const uint64_t rss_before = RssKib(t.process.pid());
  // Login requests announcing the largest data segment a header can (16 MiB - 1), from 64
  // connections at once, each then sending a little of it and waiting.
  std::vector<net::UniqueFd> conns;
  uint8_t bhs[48] = {};
  bhs[0] = 0x43;  // immediate login request
  bhs[1] = 0x87;  // transit, CSG 1, NSG 3
  bhs[5] = bhs[6] = bhs[7] = 0xff;
  const std::vector<uint8_t> some(4096, 'k');
  for (int i = 0; i < 64; ++i) {
    net::UniqueFd fd = Dial(t.port);
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::send(fd.get(), bhs, sizeof bhs, MSG_NOSIGNAL), ssize_t{sizeof bhs});
    (void)::send(fd.get(), some.data(), some.size(), MSG_NOSIGNAL);
    conns.push_back(std::move(fd));
  }
  for (auto& fd : conns)
    EXPECT_TRUE(DrainsToClose(fd.get(), seconds(2)));
  const uint64_t rss_after = RssKib(t.process.pid());
  EXPECT_LT(rss_after, rss_before + 64 * 1024) << "KiB, before " << rss_before;
  const std::string log = ReadFile(t.log);
  EXPECT_NE(log.find("over MaxRecvDataSegmentLength 8192"), std::string::npos) << log;
  EXPECT_EQ(t.process.Terminate(), 0);
}

// GET / on the monitor; the status line, or "" when nothing came back within `wait`.
std::string Get(uint16_t port, seconds wait) {
  net::UniqueFd fd = Dial(port);
  if (!fd.valid()) return "";
  const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (::send(fd.get(), req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) return "";
  std::string got;
  char buf[4096];
  const auto deadline = Clock::now() + wait;
  while (Clock::now() < deadline && got.find("\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    if (n == 0) break;
  }
  return got.substr(0, got.find("\r\n"));
}

TEST(HostilePortals, TheMonitorHoldsAtMostItsCapOfIdleConnections) {
  auto c = StartCluster({.chunkservers = 1, .master_cfg = {{"HTTP_MAX_CONNECTIONS", "16"}}});
  ASSERT_NE(c, nullptr);
  ASSERT_NE(c->http_port(), 0);
  EXPECT_EQ(Get(c->http_port(), seconds(5)), "HTTP/1.1 200 OK");
  const size_t fds_before = OpenFds(c->master_pid());
  // 600 connections that never send a byte (started, not waited for).
  std::vector<net::UniqueFd> idle;
  for (int i = 0; i < 600; ++i) {
    const std::string from = "127.0.1." + std::to_string(1 + i % 200);
    idle.push_back(Dial(c->http_port(), from.c_str(), false));
  }
  std::this_thread::sleep_for(seconds(2));
  const size_t fds_during = OpenFds(c->master_pid());
  // 16 held by the queue, one served on the accept thread, a few for the master's own use.
  EXPECT_LE(fds_during, fds_before + 16 + 1 + 4) << "before " << fds_before;
  // The master itself goes on: its client port answers.
  net::UniqueFd client = Dial(c->client_port());
  EXPECT_TRUE(client.valid());
  idle.clear();
  // Once they leave, the monitor serves again (each queued one ends at once: closed).
  std::string status;
  for (int i = 0; i < 10 && status.empty(); ++i)
    status = Get(c->http_port(), seconds(3));
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
  const std::string log = ReadFile(c->log("master"));
  EXPECT_NE(log.find("(HTTP_MAX_CONNECTIONS)"), std::string::npos);
}

}  // namespace
}  // namespace elk::test
