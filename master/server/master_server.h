#pragma once
// mfsmaster as an object: the event loop, the metadata, the sessions and exports, the
// three listeners (9421 clients, 9420 chunkservers, 9419 metaloggers), the chunk loop and
// the periodic jobs (image save, trash purge, session expiry and save). Embeddable: tests
// build it from a MasterConfig with port 0 and read the bound ports.
//
//   auto server = MasterServer::Create(config);   // loads metadata, binds
//   std::jthread t([&] { (*server)->Run(); });
//   ... (*server)->client_port() ...
//   (*server)->Stop();                             // any thread; Run returns after a save
//
// Durability: replies go through a ReplyGate that commits the changelog once per loop
// turn before any reply of that turn is sent (docs/master.md).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/cfg/exports_file.h"
#include "common/net/connection_limiter.h"
#include "common/net/event_loop.h"
#include "common/net/listener.h"
#include "common/status.h"
#include "master/ha/election.h"
#include "master/meta/metadata.h"
#include "master/server/chunk_loop.h"
#include "master/server/chunk_writes.h"
#include "master/server/chunkserver_link.h"
#include "master/server/client_link.h"
#include "master/server/config.h"
#include "master/server/image_saver.h"
#include "master/server/leader_link.h"
#include "master/server/lock_service.h"
#include "master/server/metalogger_link.h"
#include "master/server/monitor_feed.h"
#include "master/server/reply_gate.h"
#include "master/server/role.h"
#include "master/server/tree_jobs.h"
#include "master/sessions/session_table.h"

namespace elk::master {

class MasterServer {
 public:
  static Result<std::unique_ptr<MasterServer>> Create(const MasterConfig& config);
  ~MasterServer();
  MasterServer(const MasterServer&) = delete;
  MasterServer& operator=(const MasterServer&) = delete;

  // Serves until Stop(); then saves the image and the sessions. Returns the exit status.
  Status Run();
  // Any thread, async-signal-safe.
  void Stop();
  // Any thread: re-reads the exports file (SIGHUP); a refused file keeps the rules in force.
  void ReloadExports();
  // Loop thread: takes the image now and writes it in the background, as every
  // METADATA_SAVE_FREQ hours does. False if the previous save is still being written.
  bool SaveImage();

  // ---- leader or follower (docs/failover.md, "Followers"); loop thread ----
  // Becomes (or stays) a follower of the leader whose metalogger port is host:port: a
  // leader drops its clients, chunkservers and metaloggers, stops its housekeeping and
  // resyncs from the leader's image (records it has that the leader may not are set aside).
  // A follower of another leader switches to this one, also through an image.
  Status FollowLeader(const std::string& host, uint16_t port, uint64_t epoch);
  // A follower stops following and serves from its current state (chunkservers then
  // register and report their chunks). Refused (kBusy) while its state waits for an image
  // (a replay diverged, or it never synced with its leader): it must not serve that.
  Status BecomeLeader(uint64_t epoch);
  // Any thread (SIGHUP, `mfsmaster reload`): MASTER_FOLLOW as re-read. Empty on a follower
  // promotes it (BecomeLeader with its epoch); another HOST:PORT makes it follow that one.
  Status ReloadRole(const std::string& follow);
  const RoleState& role() const { return role_; }
  MetaloggerHub& metaloggers() { return *ml_hub_; }  // on the loop thread
  // The etcd election (ETCD_ENDPOINTS), or null when the role comes from MASTER_FOLLOW.
  const ha::Election* election() const { return election_.get(); }
  // Whether a reply may be acknowledged now: always without an election; with one, only
  // while this master proves its lease (StillLeader). Any thread.
  bool MayAcknowledge() const;
  const LeaderLink* leader_link() const { return leader_link_.get(); }

  uint16_t client_port() const { return client_port_; }
  uint16_t chunkserver_port() const { return cs_port_; }
  uint16_t metalogger_port() const { return ml_port_; }
  // The monitor's HTTP port; 0 when the monitor is off.
  uint16_t http_port() const { return monitor_ ? monitor_->port() : 0; }
  net::EventLoop& loop() { return *loop_; }
  // Loop thread only (or before Run / after it returned).
  Metadata& metadata() { return *meta_; }
  SessionTable& sessions() { return sessions_; }
  LockService& locks() { return *locks_; }
  ChunkLoop& chunk_loop() { return *chunk_loop_; }

 private:
  explicit MasterServer(MasterConfig config);
  Status Init();
  Status LoadExports();
  Status LoadSessions();
  Status SaveSessions();
  Status Listen();
  Status StartMonitor();
  void StartTimers();
  void AcceptClient(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot);
  void OnCommitFailure(const Status& why);
  void PurgeTrash();
  void ExpireSessions();
  // Sessions with an owner's connection now (tools joined to a session are not owners).
  std::set<uint32_t> ConnectedSessions() const;
  void Shutdown();
  void AbandonAfterFailure();
  static uint32_t Now();
  // master_role.cc
  void StartFollowing(bool resume);
  LeaderSink MakeLeaderSink();
  Status InstallLeaderImage(const image::Image& img);
  Status ApplyLeaderRecord(const changelog::Record& rec);
  void OnLeaderInfo(const protocol::MatomlLeaderInfo& info);
  void DropPeersForFollowing();
  std::string FollowerMarkerPath() const;
  static std::string MarkerText(const std::string& host, uint16_t port, uint64_t epoch);
  // master_election.cc
  Status StartElection();
  void OnElection(const ha::RoleChange& change);
  void FollowElected(const ha::RoleChange& change);
  bool ResumeElected(const FollowTarget& leader, uint64_t epoch);
  void LeaveLead(const std::string& why);
  void UpdateCampaignLag();
  void UpdateHeldMetadata();  // held_, for the election thread (candidate_board.h)
  std::optional<protocol::AntoanNotLeader> NotLeaderFor(protocol::Role peer) const;
  void OnAcknowledgeRefused(const Status& why);
  // session_adoption.cc: at promotion, the sessions the metadata knows and the table does not.
  void AdoptFollowedSessions();

  MasterConfig config_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<Metadata> meta_;
  SessionTable sessions_;
  cfg::ExportsTable exports_;
  std::unique_ptr<ReplyGate> gate_;
  std::unique_ptr<ChunkWrites> writes_;
  std::unique_ptr<ChunkserverHub> hub_;
  std::unique_ptr<ChunkLoop> chunk_loop_;
  std::unique_ptr<TreeJobs> tree_jobs_;
  std::unique_ptr<LockService> locks_;  // outlives clients_: a link unhooks its waits in it
  std::unique_ptr<ClientContext> client_ctx_;
  std::map<ClientLink*, std::unique_ptr<ClientLink>> clients_;
  std::unique_ptr<MetaloggerHub> ml_hub_;  // before meta_ in destruction: it unhooks itself
  // The connection caps (MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP), one per port, so a flood
  // of clients cannot keep chunkservers out.
  std::unique_ptr<net::ConnectionLimiter> client_limits_, cs_limits_, ml_limits_;
  std::unique_ptr<net::Listener> client_listener_;
  std::unique_ptr<net::Listener> cs_listener_;
  std::unique_ptr<net::Listener> ml_listener_;
  std::unique_ptr<ImageSaver> saver_;     // after meta_ and loop_: joins its writer first
  std::unique_ptr<MonitorFeed> monitor_;  // reads everything above: destroyed first
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  uint16_t client_port_ = 0, cs_port_ = 0, ml_port_ = 0;
  RoleState role_;
  std::unique_ptr<LeaderLink> leader_link_;
  // The state must come from the leader's image before records are applied or it serves:
  // set on a switch of leader and after a replay error, cleared by an installed image.
  bool needs_image_ = false;
  std::unique_ptr<ha::Election> election_;  // stopped (resigning) before the loop goes
  std::string node_id_;                     // our MASTER_NODE_ID in the election
  std::atomic<uint64_t> campaign_lag_{0};   // versions behind, read by the election thread
  std::mutex held_mu_;                      // guards held_, read by the election thread
  ha::HeldMetadata held_;                   // what we hold, for the candidates' comparison
  bool synced_ = false;                     // led, or installed a leader's image, since this start
  bool shut_down_ = false;
  Status failed_;  // the changelog failure that stopped the master (OnCommitFailure)
};

}  // namespace elk::master
