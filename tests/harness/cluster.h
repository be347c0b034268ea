#pragma once
// A whole ElkFS cluster on 127.0.0.1, in a temporary folder, for integration and fault tests:
// a master, N chunkservers (each with its own disk folder), optionally a metalogger and mounts,
// all on free ports. Any server can be stopped, killed (SIGKILL) and restarted with the config
// it was started with. The destructor unmounts what it mounted and stops what it started, by
// pid, so a failing test leaves nothing behind.
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
  // Both masters take part in an etcd election instead (master_cfg must carry
  // ETCD_ENDPOINTS): no MASTER_FOLLOW; MASTER_NODE_ID "master" and "follower". The names
  // say where each starts, not what it is: ask the monitors who leads.
  bool elected = false;
  // The peers are given both masters, the leader first (MASTER_HOST = "leader, follower";
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
  // The follower master (ClusterOptions::follower); its config is <dir>/mfsmaster-follower.cfg.
  Status StartFollower(bool auto_recover = false);  // -a: after a kill
  int StopFollower();
  void KillFollower();
  // Rewrites the follower's config without MASTER_FOLLOW and sends it SIGHUP (`mfsmaster
  // reload`): it becomes the leader.
  Status PromoteFollower();
  std::string follower_data() const { return dir_ + "/follower"; }
  uint16_t follower_client_port() const { return fport_client_; }
  uint16_t follower_http_port() const { return fport_http_; }
  pid_t follower_pid() const { return follower_.pid(); }
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
  explicit Cluster(ClusterOptions options);
  Status WriteConfigs();
  std::string ChunkserverCfg(int i) const;
  // MASTER_HOST (and mfsmount -H) for a peer: see peers_at_follower, peers_at_both.
  std::string PeerMasters(uint16_t follower_port) const;
  uint16_t PeerPort(uint16_t leader_port, uint16_t follower_port) const;  // MASTER_PORT, -P
  Status WriteFollowerConfig(bool follow);  // with MASTER_FOLLOW or without it (promoted)
  Status WaitMounted(const std::string& point, Process& mfsmount, const std::string& log_name);
  Status StartServer(const std::string& name, std::vector<std::string> argv, uint16_t port,
                     Process& slot);

  ClusterOptions options_;
  std::string dir_;
  uint16_t port_ml_ = 0, port_cs_ = 0, port_client_ = 0, port_http_ = 0;
  uint16_t fport_ml_ = 0, fport_cs_ = 0, fport_client_ = 0, fport_http_ = 0;  // the follower's
  Process follower_;
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
