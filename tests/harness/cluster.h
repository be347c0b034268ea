#pragma once
// A whole ElkFS cluster on 127.0.0.1, in a temporary folder, for integration and fault tests:
// a master, N chunkservers (each with its own disk folder), optionally follower masters, a
// metalogger and mounts, all on free ports. Any server can be stopped, killed (SIGKILL) and
// restarted with the config it was started with. The destructor unmounts what it mounted and
// stops what it started, by pid, so a failing test leaves nothing behind.
//
//   auto cluster = Cluster::Start({.chunkservers = 3});
//   ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
//   (*cluster)->KillChunkserver(1);

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/harness/process.h"

namespace elk::test {

struct ClusterOptions {
  int chunkservers = 3;
  bool metalogger = false;
  bool mount = false;                        // mount at <dir>/mnt
  bool meta_mount = false;                   // meta file system at <dir>/meta
  std::vector<std::string> meta_mount_args;  // extra mfsmount arguments for it
  std::string exports = "127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n";
  std::map<std::string, std::string> master_cfg;  // extra KEY = VALUE lines
  // Run before mfsmaster's own arguments, a program that execs the rest (so the pid stays
  // the master's): {"/usr/bin/prlimit", "--as=2147483648", "--"} bounds its memory.
  std::vector<std::string> master_prefix;
  std::map<std::string, std::string> chunkserver_cfg;  // for every chunkserver
  // AUTH_CODE written into mfsmaster.cfg, mfsmetalogger.cfg and every mfschunkserver.cfg;
  // empty: none.
  std::string auth_code;
  // Text appended as it is to each generated file, after the harness's own keys (which
  // a repeated key overrides, last one winning): a MooseFS-style file's lines, say.
  std::string master_cfg_text;
  std::string chunkserver_cfg_text;
  std::string metalogger_cfg_text;
  std::string hdd_cfg_text;  // lines after each chunkserver's own disk; use with one server
  std::vector<std::string> mount_args;  // extra mfsmount arguments for the file system mount
  std::chrono::milliseconds start_timeout{15000};
  bool keep_dir = false;  // leave the folder (logs) after the test, for debugging
  // A second mfsmaster in <dir>/follower following the first (MASTER_FOLLOW), on its own
  // ports; `peers_at_follower`: the mount, the chunkservers and the metalogger are pointed
  // at the follower (it sends them to the leader; when the leader is gone they come back).
  bool follower = false;
  bool peers_at_follower = false;
  // How many follower masters, each set up as `follower` above and following the first
  // master: follower 0 in <dir>/follower (the one `follower` starts), follower i > 0 in
  // <dir>/follower<i+1>, config mfsmaster-follower<i+1>.cfg. The larger of this and
  // `follower` counts. `peers_at_follower` means follower 0.
  int followers = 0;
  // Every master takes part in an etcd election instead (master_cfg must carry
  // ETCD_ENDPOINTS): no MASTER_FOLLOW; MASTER_NODE_ID "master", "follower", "follower2"...
  // The names say where each starts, not what it is: ask the monitors who leads.
  bool elected = false;
  // The peers are given every master, the leader first (MASTER_HOST = "leader, follower";
  // mfsmount -H leader,follower): they try the list and find whichever leads.
  bool peers_at_both = false;
};

class Cluster {
 public:
  static Result<std::unique_ptr<Cluster>> Start(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // The folder of the built programs (build/<preset>/bin).
  static std::string BinDir();

  Status StartMaster(bool auto_recover = false);
  int StopMaster();  // SIGTERM: a clean stop (the image is saved)
  void KillMaster();
  Status StartChunkserver(int i);
  int StopChunkserver(int i);
  void KillChunkserver(int i);
  Status StartMetalogger();
  int StopMetalogger();
  void KillMetalogger();
  // The follower masters (ClusterOptions::follower, followers); i = 0 when not given. Their
  // configs are <dir>/mfsmaster-<follower_name(i)>.cfg.
  Status StartFollower(bool auto_recover = false);  // follower 0; -a: after a kill
  Status StartFollower(int i, bool auto_recover);
  // An int alone would convert to the bool above and start follower 0 with -a.
  Status StartFollower(int i) = delete;
  int StopFollower(int i = 0);
  void KillFollower(int i = 0);
  // Rewrites follower i's config without MASTER_FOLLOW and sends it SIGHUP (`mfsmaster
  // reload`): it becomes the leader.
  Status PromoteFollower(int i = 0);
  int follower_count() const { return static_cast<int>(followers_.size()); }
  // "follower", "follower2", ...: its folder under dir(), its log's name, its node id.
  static std::string follower_name(int i);
  std::string follower_data(int i = 0) const { return dir_ + "/" + follower_name(i); }
  uint16_t follower_client_port(int i = 0) const { return Follower(i).client; }
  uint16_t follower_http_port(int i = 0) const { return Follower(i).http; }
  pid_t follower_pid(int i = 0) const { return Follower(i).process.pid(); }
  Status Mount(bool meta);
  Status Unmount(bool meta);
  // More mounts of the file system, each its own mfsmount and session, at
  // extra_mount_point(i) (i >= 1); unmounted by the destructor like the others.
  Status MountExtra(int i, std::vector<std::string> args = {});
  Status UnmountExtra(int i);
  // SIGKILL of that mfsmount (its session is left to time out), then a lazy unmount of the
  // dead mount point.
  void KillExtraMount(int i);

  const std::string& dir() const { return dir_; }
  std::string master_data() const { return dir_ + "/master"; }
  std::string metalogger_data() const { return dir_ + "/metalogger"; }
  std::string chunkserver_disk(int i) const;
  std::string mount_point() const { return dir_ + "/mnt"; }
  std::string meta_point() const { return dir_ + "/meta"; }
  std::string extra_mount_point(int i) const { return dir_ + "/mnt" + std::to_string(i); }
  std::string log(const std::string& name) const { return dir_ + "/" + name + ".log"; }
  uint16_t client_port() const { return port_client_; }
  uint16_t http_port() const { return port_http_; }              // the master's monitor
  uint16_t master_chunkserver_port() const { return port_cs_; }  // MATOCS_LISTEN_PORT
  uint16_t master_metalogger_port() const { return port_ml_; }   // MATOML_LISTEN_PORT
  pid_t master_pid() const { return master_.pid(); }
  pid_t metalogger_pid() const { return metalogger_.pid(); }
  uint16_t chunkserver_port(int i) const { return cs_ports_.at(static_cast<size_t>(i)); }

 private:
  // A follower master's ports and process.
  struct FollowerMaster {
    uint16_t ml = 0, cs = 0, client = 0, http = 0;
    Process process;
  };
  using PortOf = uint16_t FollowerMaster::*;  // which of a follower's ports a peer uses

  explicit Cluster(ClusterOptions options);
  Status WriteConfigs();
  std::string ChunkserverCfg(int i) const;
  // MASTER_HOST (and mfsmount -H) for a peer: see peers_at_follower, peers_at_both.
  std::string PeerMasters(PortOf port) const;
  uint16_t PeerPort(uint16_t leader_port, PortOf port) const;  // MASTER_PORT, -P
  // With MASTER_FOLLOW or without it (promoted).
  Status WriteFollowerConfig(int i, bool follow);
  std::string FollowerCfg(int i) const;
  const FollowerMaster& Follower(int i) const { return followers_.at(static_cast<size_t>(i)); }
  FollowerMaster& Follower(int i) { return followers_.at(static_cast<size_t>(i)); }
  Status WaitMounted(const std::string& point, Process& mfsmount, const std::string& log_name);
  Status StartServer(const std::string& name, std::vector<std::string> argv, uint16_t port,
                     Process& slot);

  ClusterOptions options_;
  std::string dir_;
  uint16_t port_ml_ = 0, port_cs_ = 0, port_client_ = 0, port_http_ = 0;
  std::vector<FollowerMaster> followers_;
  std::vector<uint16_t> cs_ports_;
  Process master_;
  Process metalogger_;
  std::vector<Process> chunkservers_;
  Process mount_;
  Process meta_mount_;
  std::map<int, Process> extra_mounts_;
  bool mounted_ = false;
  bool meta_mounted_ = false;
};

}  // namespace elk::test
