// The HTTP monitor with the real programs: a master and three chunkservers on 127.0.0.1, a
// few files written through libelkclient; every JSON section fetched and checked, /metrics
// read line by line as Prometheus text, and hostile requests answered 4xx while the
// monitor keeps serving.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "master/monitor/prometheus_check.h"
#include "master/monitor/raw_http.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

using namespace std::chrono_literals;
using master::monitor::testing::ParsePrometheus;
using master::monitor::testing::RawExchange;
using master::monitor::testing::StatusOf;
using nlohmann::json;

constexpr int kFiles = 5;
constexpr uint32_t kFileSize = 100000;
constexpr int kDirs = 2;  // the root and one made here

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return done();
}

class MonitorCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Cluster::Start({.chunkservers = 3,
                             .metalogger = true,
                             // A chart point a second, so the history has points within the test.
                             .master_cfg = {{"CHANGELOG_SYNC", "0"}, {"HTTP_HISTORY_STEP", "1"}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    ASSERT_TRUE(WaitFor([&] { return Get("/api/v1/info")["chunkservers"] == 3; }, 30s))
        << Get("/api/v1/info").dump();
    WriteFiles();
    // File counts come from a walk every few seconds: wait for it to see the files.
    ASSERT_TRUE(WaitFor([&] { return Get("/api/v1/info")["files"] == kFiles; }, 30s))
        << Get("/api/v1/info").dump();
  }

  void WriteFiles() {
    auto s = client::MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    client::ChunkIo io(**s);
    auto dir = (*s)->Mkdir(1, "d", 0755, 022, {});
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    std::vector<uint8_t> data(kFileSize, 0x5a);
    for (int i = 0; i < kFiles; i++) {
      auto f = (*s)->Create(dir->inode, "f" + std::to_string(i), 0644, 022, {}, /*open=*/true);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      ASSERT_TRUE(io.Write(f->inode, 0, data).ok());
      inodes_.push_back(f->inode);
    }
  }

  // Reads every file back whole; true when each came back as written.
  bool ReadFiles() {
    auto s = client::MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
    if (!s.ok()) return false;
    client::ChunkIo io(**s);
    for (uint32_t inode : inodes_) {
      if (!(*s)->Open(inode, protocol::kOpenRead, {}).ok()) return false;  // a reader opens
      auto back = io.Read(inode, 0, kFileSize);
      if (!back.ok() || *back != std::vector<uint8_t>(kFileSize, 0x5a)) return false;
    }
    return true;
  }

  // elkfs_disk_bytes_<what>_total of each chunkserver's disk, from /metrics.
  std::vector<double> DiskBytes(const std::string& what) {
    auto r = Fetch("/metrics");
    std::vector<double> out;
    if (!r) return out;
    auto p = ParsePrometheus(r->body);
    for (int i = 0; i < 3; i++) {
      const std::string key =
          fmt::format(R"(elkfs_disk_bytes_{}_total{{server="127.0.0.1:{}",path="{}"}})", what,
                      cluster_->chunkserver_port(i), cluster_->chunkserver_disk(i));
      out.push_back(p.samples.count(key) ? p.samples[key] : -1);
    }
    return out;
  }

  httplib::Result Fetch(const std::string& path) {
    httplib::Client c("127.0.0.1", cluster_->http_port());
    c.set_connection_timeout(5s);
    c.set_read_timeout(5s);
    return c.Get(path);
  }
  json Get(const std::string& path) {
    auto r = Fetch(path);
    if (!r || r->status != 200) return json::object();
    return json::parse(r->body, nullptr, false);
  }

  std::unique_ptr<Cluster> cluster_;
  std::vector<uint32_t> inodes_;
};

TEST_F(MonitorCluster, JsonSectionsDescribeTheCluster) {
  json info = Get("/api/v1/info");
  EXPECT_EQ(info["files"], kFiles);
  EXPECT_EQ(info["directories"], kDirs);
  EXPECT_EQ(info["chunkservers"], 3);
  EXPECT_GT(info["total_space"].get<uint64_t>(), 0u);
  EXPECT_GT(info["metadata_version"].get<uint64_t>(), 0u);
  EXPECT_GE(info["chunks"].get<uint64_t>(), static_cast<uint64_t>(kFiles));

  json cs = Get("/api/v1/chunkservers")["chunkservers"];
  ASSERT_EQ(cs.size(), 3u);
  std::set<uint16_t> ports;
  for (const json& row : cs) {
    EXPECT_EQ(row["state"], "ok");
    EXPECT_FALSE(row["version"].get<std::string>().empty());
    std::string address = row["address"];
    ports.insert(static_cast<uint16_t>(std::stoi(address.substr(address.find(':') + 1))));
  }
  EXPECT_EQ(ports, (std::set<uint16_t>{cluster_->chunkserver_port(0), cluster_->chunkserver_port(1),
                                       cluster_->chunkserver_port(2)}));

  // Each chunkserver reports its one disk folder; the chunks written are on them.
  ASSERT_TRUE(WaitFor(
      [&] {
        uint64_t on_disks = 0;
        const json all = Get("/api/v1/disks");  // kept: the loop would outlive a temporary
        for (const json& d : all.value("disks", json::array()))
          on_disks += d.value("chunks", uint64_t{0});
        return on_disks >= static_cast<uint64_t>(kFiles);
      },
      20s))
      << Get("/api/v1/disks").dump();
  json disks = Get("/api/v1/disks")["disks"];
  ASSERT_EQ(disks.size(), 3u) << disks.dump();
  for (int i = 0; i < 3; i++) {
    const std::string address = "127.0.0.1:" + std::to_string(cluster_->chunkserver_port(i));
    size_t rows = 0;
    for (const json& d : disks) {
      if (d["chunkserver"] != address) continue;
      rows++;
      EXPECT_EQ(d["path"], cluster_->chunkserver_disk(i)) << d.dump();
      EXPECT_EQ(d["state"], "ok");
      EXPECT_EQ(d["damaged"], false);
      EXPECT_GT(d["total_space"].get<uint64_t>(), 0u);
      EXPECT_EQ(d["errors"], 0);
    }
    EXPECT_EQ(rows, 1u) << address << " " << disks.dump();
  }
  json chunks = Get("/api/v1/chunks");
  EXPECT_EQ(chunks["missing"], 0);
  EXPECT_EQ(chunks["total"], info["chunks"]);
  json sessions = Get("/api/v1/sessions")["sessions"];
  ASSERT_GE(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["address"], "127.0.0.1");
  json exports = Get("/api/v1/exports")["exports"];
  ASSERT_EQ(exports.size(), 2u);  // the harness's "/" and "." rules
  EXPECT_EQ(exports[0]["path"], "/");
  // The metalogger catches up: one row, its version, nothing left to send.
  ASSERT_TRUE(WaitFor([&] { return Get("/api/v1/metaloggers")["metaloggers"].size() == 1; }, 20s));
  ASSERT_TRUE(
      WaitFor([&] { return Get("/api/v1/metaloggers")["metaloggers"][0]["lag"] == 0; }, 20s))
      << Get("/api/v1/metaloggers").dump();
  json ml = Get("/api/v1/metaloggers")["metaloggers"][0];
  EXPECT_TRUE(ml["streaming"].get<bool>());
  EXPECT_FALSE(ml["version"].get<std::string>().empty());
  EXPECT_GE(Get("/api/v1/ops")["operations"]["create"].get<uint64_t>(),
            static_cast<uint64_t>(kFiles));
}

TEST_F(MonitorCluster, AKilledChunkserverShowsAsLost) {
  uint64_t chunks = Get("/api/v1/chunks")["total"];
  std::string address = "127.0.0.1:" + std::to_string(cluster_->chunkserver_port(0));
  cluster_->KillChunkserver(0);
  ASSERT_TRUE(WaitFor([&] { return Get("/api/v1/info")["chunkservers_lost"] == 1; }, 30s))
      << Get("/api/v1/info").dump();
  json cs = Get("/api/v1/chunkservers")["chunkservers"];
  size_t lost = 0;
  for (const json& row : cs) {
    if (row["address"] == address) {
      EXPECT_EQ(row["state"], "lost");
      lost++;
    } else {
      EXPECT_EQ(row["state"], "ok");
    }
  }
  EXPECT_EQ(lost, 1u);
  EXPECT_EQ(Get("/api/v1/chunks")["total"], chunks);  // chunks are not forgotten, only copies
  // Its disks go with it; the others' stay.
  ASSERT_TRUE(WaitFor([&] { return Get("/api/v1/disks")["disks"].size() == 2; }, 20s))
      << Get("/api/v1/disks").dump();
  const json left = Get("/api/v1/disks");
  for (const json& d : left.value("disks", json::array()))
    EXPECT_NE(d["chunkserver"], address);
  auto p = ParsePrometheus(Fetch("/metrics")->body);
  EXPECT_EQ(p.samples["elkfs_chunkserver_up{address=\"" + address + "\"}"], 0);
  EXPECT_EQ(p.samples[R"(elkfs_chunkservers{state="lost"})"], 1);
}

TEST_F(MonitorCluster, MetricsAreValidPrometheusText) {
  auto r = Fetch("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto p = ParsePrometheus(r->body);
  ASSERT_EQ(p.error, "") << r->body;
  EXPECT_EQ(p.samples["elkfs_files"], kFiles);
  for (int i = 0; i < 3; i++) {
    const std::string key =
        fmt::format(R"(elkfs_disk_total_bytes{{server="127.0.0.1:{}",path="{}"}})",
                    cluster_->chunkserver_port(i), cluster_->chunkserver_disk(i));
    EXPECT_GT(p.samples[key], 0) << key << "\n" << r->body;
  }
  EXPECT_EQ(p.samples["elkfs_replication_catchup_ratio"], 1);
  EXPECT_EQ(p.samples[R"(elkfs_chunkservers{state="connected"})"], 3);
  EXPECT_EQ(p.samples["elkfs_chunks_missing"], 0);
}

// Chunkservers count the bytes their disks read and write; /metrics shows them per disk, the
// master sums their moves into rates, one point a second here (HTTP_HISTORY_STEP = 1).
TEST_F(MonitorCluster, DiskByteCountersAndTheHistoryFollowWritesAndReads) {
  auto sum = [](const std::vector<double>& v) {
    double total = 0;
    for (double x : v)
      total += x;
    return total;
  };
  // Every file was written whole to at least one copy (the default goal may keep more).
  ASSERT_TRUE(WaitFor([&] { return sum(DiskBytes("written")) >= kFiles * double{kFileSize}; }, 20s))
      << Fetch("/metrics")->body;
  // Each server that holds chunks wrote them; none reports a counter missing.
  const json disks = Get("/api/v1/disks");
  for (const json& d : disks.value("disks", json::array())) {
    if (d.value("chunks", 0) > 0) {
      EXPECT_GT(d["bytes_written"].get<uint64_t>(), 0u) << d.dump();
    }
  }
  for (double w : DiskBytes("written"))
    EXPECT_GE(w, 0) << Fetch("/metrics")->body;
  const double read_before = sum(DiskBytes("read"));
  ASSERT_TRUE(ReadFiles());
  ASSERT_TRUE(WaitFor(
      [&] { return sum(DiskBytes("read")) >= read_before + kFiles * double{kFileSize}; }, 20s))
      << Fetch("/metrics")->body;

  // The history: points a second apart, rates of what was written and read.
  auto moved = [&](const char* field) {
    const json h = Get("/api/v1/history");
    for (const json& p : h.value("history", json::array()))
      if (p.value(field, 0.0) > 0) return true;
    return false;
  };
  EXPECT_TRUE(WaitFor([&] { return moved("written_bytes_per_second"); }, 10s))
      << Get("/api/v1/history").dump();
  EXPECT_TRUE(WaitFor([&] { return moved("read_bytes_per_second"); }, 10s))
      << Get("/api/v1/history").dump();
  EXPECT_TRUE(WaitFor([&] { return moved("ops_per_second"); }, 10s));
  // Each chunkserver's own chart (MooseFS's server charts): three, and the writes in them.
  auto server_wrote = [&] {
    const json servers = Get("/api/v1/history").value("chunkservers", json::array());
    bool wrote = false;
    for (const json& s : servers)
      for (const json& p : s["history"])
        wrote = wrote || p.value("written_bytes_per_second", 0.0) > 0;
    return servers.size() == 3 && wrote;
  };
  EXPECT_TRUE(WaitFor(server_wrote, 10s)) << Get("/api/v1/history").dump();
  const json h = Get("/api/v1/history");
  EXPECT_EQ(h["step_seconds"], 1);
  EXPECT_GE(h["totals"]["bytes_written"].get<double>(), kFiles * double{kFileSize});
  EXPECT_FALSE(Get("/api/v1/ops")["history"].empty());
  auto metrics = ParsePrometheus(Fetch("/metrics")->body);
  EXPECT_GE(metrics.samples["elkfs_bytes_read_total"], kFiles * double{kFileSize});
  EXPECT_EQ(metrics.types["elkfs_replications_total"], "counter");
  // The page draws the three charts of the cluster and one of each chunkserver.
  auto page = Fetch("/");
  ASSERT_TRUE(page);
  size_t charts = 0;
  for (size_t at = page->body.find("<svg"); at != std::string::npos;
       at = page->body.find("<svg", at + 1))
    charts++;
  EXPECT_EQ(charts, 6u) << page->body;
}

TEST_F(MonitorCluster, PageShowsThreeChunkservers) {
  auto r = Fetch("/");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  size_t at = r->body.find("<table id='chunkservers'>");
  ASSERT_NE(at, std::string::npos);
  std::string table = r->body.substr(at, r->body.find("</table>", at) - at);
  size_t rows = 0;
  for (size_t i = table.find("<tr>"); i != std::string::npos; i = table.find("<tr>", i + 1))
    rows++;
  EXPECT_EQ(rows, 4u);  // header + 3
}

TEST_F(MonitorCluster, BadRequestsGet4xxAndServingGoesOn) {
  uint16_t port = cluster_->http_port();
  auto is4xx = [](int status) { return status >= 400 && status < 500; };
  int garbage =
      StatusOf(RawExchange(port, std::string("\x16\x03\x01\x00\xff garbage\r\n\r\n", 19)));
  EXPECT_TRUE(garbage == 0 || is4xx(garbage)) << garbage;  // refused or dropped, never served
  std::string huge = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(128 * 1024, 'a') +
                     "\r\nConnection: close\r\n\r\n";
  int big = StatusOf(RawExchange(port, huge));
  EXPECT_TRUE(big == 0 || is4xx(big)) << big;
  EXPECT_EQ(StatusOf(RawExchange(port,
                                 "POST /api/v1/info HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                 "2\r\nConnection: close\r\n\r\nhi")),
            405);
  EXPECT_EQ(StatusOf(RawExchange(
                port, "GET /../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            404);
  EXPECT_EQ(StatusOf(RawExchange(
                port, "GET /no/such/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            404);
  auto r = Fetch("/api/v1/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["chunkservers"], 3);
}

// Runs a command line, returns its stdout and exit status.
std::pair<std::string, int> Capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {"", -1};
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  int rc = ::pclose(p);
  return {out, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
}

// mfscli as MooseFS users run it: -P is the master's client port.
TEST_F(MonitorCluster, MfscliPrintsChunkserversAndInfo) {
  std::string cli =
      fmt::format("{}/mfscli -H 127.0.0.1 -P {}", Cluster::BinDir(), cluster_->client_port());
  auto [cs, cs_rc] = Capture(cli + " -SCS");
  ASSERT_EQ(cs_rc, 0) << cs;
  // A header, a rule, and one line per chunkserver naming its address and state.
  std::istringstream lines(cs);
  std::vector<std::string> all;
  for (std::string l; std::getline(lines, l);)
    all.push_back(l);
  ASSERT_EQ(all.size(), 5u) << cs;
  EXPECT_EQ(all[0].rfind("address", 0), 0u) << cs;
  for (int i = 0; i < 3; i++) {
    std::string port = std::to_string(cluster_->chunkserver_port(i));
    EXPECT_NE(cs.find("127.0.0.1:" + port + " "), std::string::npos) << cs;
  }
  for (size_t i = 2; i < all.size(); i++)
    EXPECT_NE(all[i].find(" ok "), std::string::npos) << cs;

  auto [info, info_rc] = Capture(cli + " -SIN");
  ASSERT_EQ(info_rc, 0) << info;
  std::regex files_line(R"((^|\n)files +5\n)");
  EXPECT_TRUE(std::regex_search(info, files_line)) << info;
  EXPECT_TRUE(std::regex_search(info, std::regex(R"((^|\n)chunkservers +3\n)"))) << info;

  auto [hd, hd_rc] = Capture(cli + " -SHD");
  ASSERT_EQ(hd_rc, 0) << hd;
  // One line per disk: its server, its folder, "ok".
  for (int i = 0; i < 3; i++) {
    const std::string address = "127.0.0.1:" + std::to_string(cluster_->chunkserver_port(i));
    std::istringstream hd_lines(hd);
    size_t found = 0;
    for (std::string l; std::getline(hd_lines, l);) {
      if (l.rfind(address + " ", 0) != 0) continue;
      found++;
      EXPECT_NE(l.find(" " + cluster_->chunkserver_disk(i) + " "), std::string::npos) << hd;
      EXPECT_NE(l.find(" ok "), std::string::npos) << hd;
    }
    EXPECT_EQ(found, 1u) << hd;
  }

  // -SIN is MooseFS's full info: the general part and the chunks, keyed in JSON.
  auto [js, js_rc] = Capture(cli + " -SIN -j");
  ASSERT_EQ(js_rc, 0) << js;
  EXPECT_EQ(json::parse(js)["info"]["files"], kFiles) << js;
  EXPECT_TRUE(json::parse(js)["chunks"].contains("matrix")) << js;
  auto [ig, ig_rc] = Capture(cli + " -SIG -j");
  ASSERT_EQ(ig_rc, 0) << ig;
  EXPECT_EQ(json::parse(ig)["files"], kFiles) << ig;

  // -p: one tab-separated row per chunkserver, for scripts.
  auto [rows, rows_rc] = Capture(cli + " -SCS -p");
  ASSERT_EQ(rows_rc, 0) << rows;
  for (int i = 0; i < 3; i++) {
    const std::string address = "127.0.0.1:" + std::to_string(cluster_->chunkserver_port(i));
    EXPECT_NE(rows.find(address + "\t"), std::string::npos) << rows;
  }
}

TEST_F(MonitorCluster, MfscliSaysWhenTheMasterIsUnreachable) {
  uint16_t closed = FreePort();
  auto [out, rc] =
      Capture(fmt::format("{}/mfscli -H 127.0.0.1 -P {} -SIN 2>&1", Cluster::BinDir(), closed));
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("cannot reach the master's monitor at 127.0.0.1:" + std::to_string(closed)),
            std::string::npos)
      << out;
}

// mfscgiserv serves the master's pages from elsewhere, through the client port, at MooseFS's
// mfs.cgi addresses: only the sections asked for, the master named in the address.
TEST_F(MonitorCluster, MfscgiservServesTheMastersPagesAtMooseFsAddresses) {
  const uint16_t port = FreePort();
  auto cgi = Process::Spawn(
      {Cluster::BinDir() + "/mfscgiserv", "-f", "-H", "127.0.0.1", "-P", std::to_string(port), "-M",
       "127.0.0.1", "-N", std::to_string(cluster_->client_port())},
      cluster_->log("mfscgiserv"));
  ASSERT_TRUE(cgi.ok()) << cgi.status().ToString();
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  std::string info;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = c.Get("/api/v1/info");
        if (!r || r->status != 200) return false;
        info = r->body;
        return true;
      },
      10s));
  EXPECT_EQ(json::parse(info)["files"], kFiles) << info;

  auto cs = c.Get("/mfs.cgi?sections=CS");
  ASSERT_TRUE(cs && cs->status == 200);
  EXPECT_NE(cs->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(cs->body.find("127.0.0.1:" + std::to_string(cluster_->chunkserver_port(0))),
            std::string::npos);
  EXPECT_EQ(cs->body.find("<table id='exports'"), std::string::npos) << "only CS asked for";
  auto all = c.Get("/mfs.cgi");
  ASSERT_TRUE(all && all->status == 200);
  EXPECT_NE(all->body.find("<table id='exports'"), std::string::npos);

  // The master named in the address (MooseFS's masterhost/masterport), and a wrong one.
  auto named = c.Get(fmt::format("/api/v1/chunkservers?masterhost=127.0.0.1&masterport={}",
                                 cluster_->client_port()));
  ASSERT_TRUE(named && named->status == 200);
  EXPECT_EQ(json::parse(named->body)["chunkservers"].size(), 3u);
  auto closed = c.Get(fmt::format("/mfs.cgi?masterhost=127.0.0.1&masterport={}", FreePort()));
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->status, 502);
  auto unknown = c.Get("/no/such/page");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  // A second one (or a master's monitor) on the same port is refused, never shares it.
  auto [second, second_rc] =
      Capture(fmt::format("{}/mfscgiserv -f -H 127.0.0.1 -P {} 2>&1", Cluster::BinDir(), port));
  EXPECT_EQ(second_rc, 1) << second;
  EXPECT_NE(second.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << second;
  EXPECT_EQ(cgi->Terminate(), 0);
}

// The charts' points are kept in DATA_PATH/stats.mfs: a restarted master still has them.
TEST_F(MonitorCluster, TheChartHistorySurvivesAMasterRestart) {
  json before;
  ASSERT_TRUE(
      WaitFor([&] { return (before = Get("/api/v1/history"))["history"].size() >= 3; }, 30s));
  const auto first_time = before["history"][0]["time"].get<uint32_t>();
  ASSERT_EQ(cluster_->StopMaster(), 0);
  ASSERT_TRUE(std::filesystem::exists(cluster_->master_data() + "/stats.mfs"));
  ASSERT_TRUE(cluster_->StartMaster().ok());
  json after;
  ASSERT_TRUE(WaitFor([&] { return (after = Get("/api/v1/history")).contains("history"); }, 30s));
  // Points from before the stop (a fresh master's all come after its start).
  bool kept = false;
  for (const json& p : after["history"])
    kept = kept || p["time"].get<uint32_t>() == first_time;
  EXPECT_TRUE(kept) << "before: " << before.dump() << "\nafter: " << after.dump();
}

}  // namespace
}  // namespace elk::test
