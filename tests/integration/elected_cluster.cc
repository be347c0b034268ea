#include "tests/integration/elected_cluster.h"

#include <cstdlib>

#include "tests/harness/metadata_files.h"
#include "tests/harness/poll.h"

namespace elk::test {

using namespace std::chrono_literals;
using nlohmann::json;

json Info(uint16_t http_port) {
  return MonitorInfo(http_port, 1s, 2s);
}

std::string Role(uint16_t http_port) {
  const json i = Info(http_port);
  return i.contains("role") ? i["role"].get<std::string>() : "";
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void ElectedClusterTest::StartElected(const std::string& prefix, ClusterOptions o) {
  auto etcd = master::ha::testing::EtcdServer::Start();
  ASSERT_TRUE(etcd.ok()) << etcd.status().ToString();
  etcd_ = std::move(*etcd);
  o.chunkservers = 2;
  o.mount = true;
  o.master_cfg["ETCD_ENDPOINTS"] = etcd_->url();
  o.master_cfg["ETCD_PREFIX"] = prefix;
  o.master_cfg["MASTER_LEASE_TTL"] = "2";
  o.keep_dir = std::getenv("ELKFS_KEEP") != nullptr;
  o.follower = true;
  o.elected = true;
  auto c = Cluster::Start(std::move(o));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  cluster_ = std::move(*c);
  ASSERT_TRUE(WaitFor([&] { return Role(cluster_->http_port()) == "leader"; }, 10s))
      << ReadWholeFile(cluster_->log("master"));
  ASSERT_NO_FATAL_FAILURE(WaitSettled(cluster_->http_port(), cluster_->follower_http_port()));
  EXPECT_GT(Info(cluster_->http_port())["epoch"].get<uint64_t>(), 0u);
}

void ElectedClusterTest::WaitSettled(uint16_t leader_http, uint16_t follower_http) {
  json l, f;
  EXPECT_TRUE(WaitFor(
      [&] {
        l = Info(leader_http);
        f = Info(follower_http);
        return l["role"] == "leader" && l["chunkservers"] == 2 && l["sessions"] >= 1 &&
               f["role"] == "follower" && f["leader_connected"] == true && f["lag_records"] == 0;
      },
      60s, 200ms))
      << l.dump() << "\n"
      << f.dump();
}

uint16_t ElectedClusterTest::LeaderHttp(bool first_leads) const {
  return first_leads ? cluster_->http_port() : cluster_->follower_http_port();
}

uint16_t ElectedClusterTest::OtherHttp(bool first_leads) const {
  return first_leads ? cluster_->follower_http_port() : cluster_->http_port();
}

void ElectedClusterTest::ExpectSameMetadata(bool first_leads) {
  Cluster& cl = *cluster_;
  ASSERT_NO_FATAL_FAILURE(WaitSettled(LeaderHttp(first_leads), OtherHttp(first_leads)));
  auto leader = DumpOfFolder(cl, first_leads ? cl.master_data() : cl.follower_data(), "leader");
  auto other = DumpOfFolder(cl, first_leads ? cl.follower_data() : cl.master_data(), "other");
  ASSERT_TRUE(leader.ok() && other.ok()) << leader.status().ToString() << other.status().ToString();
  EXPECT_GT(leader->size(), 1000u);
  EXPECT_TRUE(*other == *leader) << "the other master's files differ from the leader's";
  // The metalogger may still be on its way (back from an old leader, or fetching an image:
  // then its changelog can hold no record at all): its files are read until they agree.
  Result<std::string> metalogger = Status(Code::kNotFound, "not read");
  const bool same = WaitFor(
      [&] {
        metalogger = DumpOfFolder(cl, cl.metalogger_data(), "metalogger");
        return metalogger.ok() && *metalogger == *leader;
      },
      30s, 500ms);
  EXPECT_TRUE(same) << "the metalogger's files differ from the leader's: "
                    << metalogger.status().ToString() << "\n"
                    << ReadWholeFile(cl.log("metalogger"));
}

}  // namespace elk::test
