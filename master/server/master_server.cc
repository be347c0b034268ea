#include "master/server/master_server.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "common/atomic_file.h"
#include "common/log/log.h"
#include "common/net/address.h"

namespace elk::master {

namespace {

constexpr auto kSessionsEvery = std::chrono::seconds(60);

}  // namespace

uint32_t MasterServer::Now() {
  return static_cast<uint32_t>(::time(nullptr));
}

MasterServer::MasterServer(MasterConfig config) : config_(std::move(config)) {}

MasterServer::~MasterServer() {
  if (!shut_down_ && meta_) Shutdown();
}

Result<std::unique_ptr<MasterServer>> MasterServer::Create(const MasterConfig& config) {
  std::unique_ptr<MasterServer> server(new MasterServer(config));
  ELK_RETURN_IF_ERROR(server->Init());
  return server;
}

Status MasterServer::Init() {
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  ELK_RETURN_IF_ERROR(LoadExports());
  MetadataOptions mo;
  mo.data_path = config_.data_path;
  mo.back_logs = config_.back_logs;
  mo.back_meta_keep = config_.back_meta_keep;
  mo.sync = config_.changelog_sync ? changelog::SyncPolicy::kAlways : changelog::SyncPolicy::kNever;
  mo.auto_recover = config_.auto_recover;
  mo.changelog_ops = config_.changelog_ops;
  auto meta = Metadata::Open(mo, Now());
  if (!meta.ok()) return meta.status();
  meta_ = std::move(*meta);
  saver_ = std::make_unique<ImageSaver>(*loop_, config_.data_path, config_.back_meta_keep);
  ELK_RETURN_IF_ERROR(LoadSessions());

  gate_ = std::make_unique<ReplyGate>(
      *loop_, [this] { return meta_->Commit(); }, [this](const Status& s) { OnCommitFailure(s); });
  if (config_.ha.enabled()) {
    gate_->set_guard(
        [this] {
          return MayAcknowledge()
                     ? Status::Ok()
                     : Status(Code::kNotLeader, "this master cannot prove its lease as the leader");
        },
        [this](const Status& s) { OnAcknowledgeRefused(s); });
  }
  // Commits outside the gate (timers, chunk grants) fail the same way; stop on the loop, not
  // inside the caller's handler.
  meta_->set_failure_listener(
      [this](const Status& s) { loop_->Defer([this, s] { OnCommitFailure(s); }); });
  writes_ = std::make_unique<ChunkWrites>(*loop_, meta_->chunks(),
                                          std::chrono::seconds(config_.chunk_op_timeout));
  const std::chrono::milliseconds hello_timeout = std::chrono::seconds(config_.hello_timeout);
  ChunkserverLinkOptions cs_options;
  cs_options.timeout = std::chrono::seconds(config_.matocs_timeout);
  cs_options.hello_timeout = hello_timeout;
  cs_options.auth_code = config_.auth_code;
  const NotLeaderFn not_leader = [this](protocol::Role peer) { return NotLeaderFor(peer); };
  cs_options.not_leader = not_leader;
  cs_options.epoch = [this] { return role_.epoch; };
  hub_ = std::make_unique<ChunkserverHub>(*loop_, meta_->chunks(), *writes_, &MasterServer::Now,
                                          cs_options);
  writes_->set_hub(hub_.get());
  chunk_loop_ = std::make_unique<ChunkLoop>(*loop_, meta_->chunks(), *hub_, config_.replication,
                                            &MasterServer::Now);
  client_ctx_.reset(new ClientContext{*loop_, *meta_, sessions_, exports_, *gate_, *writes_,
                                      &MasterServer::Now, [this] { (void)SaveSessions(); }});
  client_ctx_->idle_timeout = std::chrono::seconds(config_.matocl_timeout);
  client_ctx_->hello_timeout = hello_timeout;
  client_ctx_->not_leader = not_leader;
  tree_jobs_ = std::make_unique<TreeJobs>(*loop_, *meta_);
  client_ctx_->jobs = tree_jobs_.get();
  locks_ = std::make_unique<LockService>(
      *loop_,
      LockServiceOptions{.grace = std::chrono::seconds(config_.locks_grace_time),
                         .session_timeout = std::chrono::seconds(config_.locks_session_timeout)},
      [this] { return ConnectedSessions(); });
  // Locks live in memory: the sessions from before this start get them back first.
  std::set<uint32_t> resumable;
  for (const Session* s : sessions_.All())
    resumable.insert(s->id);
  locks_->StartGrace(std::move(resumable));
  client_ctx_->locks = locks_.get();
  client_ctx_->epoch = [this] { return role_.epoch; };
  client_ctx_->session_resumed = [this](uint32_t session, const ClientLink* by) {
    // The session's owner is back on a new connection: what its older ones still carry
    // must not be applied after the account it is about to give of its opens.
    for (auto& [raw, link] : clients_) {
      if (raw != by && link->session_id() == session && !link->joined()) {
        link->Close(Status(Code::kDisconnected, "its session resumed on another connection"));
      }
    }
  };
  MetaloggerHubOptions ml_options;
  ml_options.timeout = std::chrono::seconds(config_.matoml_timeout);
  ml_options.hello_timeout = hello_timeout;
  ml_options.auth_code = config_.auth_code;
  ml_options.not_leader = not_leader;
  ml_options.leader_info = [this] {
    return protocol::MatomlLeaderInfo{role_.epoch, meta_->version(), client_port_, cs_port_,
                                      ml_port_};
  };
  ml_options.term = [this] { return std::pair{role_.epoch, role_.led_from}; };
  ml_options.sync_followers = config_.sync_followers;
  ml_options.sync_timeout = config_.sync_timeout;
  ml_options.on_quorum = [this] { gate_->Release(); };
  ml_hub_ = std::make_unique<MetaloggerHub>(*loop_, *meta_, &MasterServer::Now, ml_options);
  if (config_.sync_followers > 0) {
    FollowerQuorum& quorum = ml_hub_->quorum();
    gate_->set_sync({.version = [this] { return meta_->version(); },
                     .holds = [&quorum](uint64_t v) { return quorum.Holds(v); },
                     .expire =
                         [&quorum](uint64_t v, net::Clock::time_point since) {
                           return quorum.Expire(v, since, net::Clock::now());
                         }});
  }
  if (config_.ha.enabled()) {
    // Nobody is served until the election names a leader (this master or another).
    role_.role = MasterRole::kFollower;
    role_.caught_up_at = Now();
  } else if (!config_.follow.empty()) {
    auto target = ParseFollow(config_.follow);
    if (!target.ok()) return target.status();
    role_.role = MasterRole::kFollower;
    role_.leader_host = target->host;
    role_.leader_follow_port = target->port;
    role_.caught_up_at = Now();
  }
  ELK_RETURN_IF_ERROR(Listen());
  ELK_RETURN_IF_ERROR(StartMonitor());
  StartTimers();
  if (config_.ha.enabled()) {
    ELK_RETURN_IF_ERROR(StartElection());
  } else if (role_.following()) {
    // The files are a follower's copy of this leader's history: resume from their version.
    std::error_code ec;
    const bool resume = std::filesystem::exists(FollowerMarkerPath(), ec);
    log::Info("mfsmaster: following the leader at {}:{} (MASTER_FOLLOW){}", role_.leader_host,
              role_.leader_follow_port, resume ? "" : "; its image comes first");
    StartFollowing(resume);
  }
  log::Info(
      "mfsmaster: metadata version {}, {} sessions; listening for clients on port {}, "
      "chunkservers on port {}; AUTH_CODE {}",
      meta_->version(), sessions_.size(), client_port(), chunkserver_port(),
      config_.auth_code.empty() ? "not set: any chunkserver or metalogger may register"
                                : "set: chunkservers and metaloggers must prove it");
  return Status::Ok();
}

Status MasterServer::LoadExports() {
  Status s = config_.exports_path.empty() ? exports_.LoadString(config_.exports_text, "<exports>")
                                          : exports_.Load(config_.exports_path);
  if (!s.ok()) return s;
  return Status::Ok();
}

void MasterServer::ReloadExports() {
  if (config_.exports_path.empty()) return;
  if (Status s = exports_.Reload(); !s.ok()) {
    log::Error("exports not reloaded, the rules in force stay: {}", s.ToString());
  } else {
    log::Info("exports reloaded from {}", config_.exports_path);
  }
}

Status MasterServer::LoadSessions() {
  std::string path = config_.data_path + "/sessions.mfs";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Ok();  // none saved yet
  std::stringstream text;
  text << in.rdbuf();
  if (Status s = sessions_.Load(text.str(), *exports_.rules()); !s.ok()) {
    log::Warning("{}: sessions not restored: {}", path, s.ToString());
  }
  return Status::Ok();
}

Status MasterServer::SaveSessions() {
  Status s = WriteFileAtomically(config_.data_path + "/sessions.mfs", sessions_.Serialize());
  if (!s.ok()) log::Error("sessions not saved: {}", s.ToString());
  return s;
}

Status MasterServer::Listen() {
  auto bind = [this](const ListenAddress& l,
                     net::Listener::AcceptCallback cb) -> Result<std::unique_ptr<net::Listener>> {
    auto addr = net::Resolve(l.host, l.port);
    if (!addr.ok()) return addr.status();
    return net::Listener::Create(*loop_, *addr, std::move(cb));
  };
  const net::ConnectionLimits caps{config_.max_connections, config_.max_connections_per_ip};
  client_limits_ = std::make_unique<net::ConnectionLimiter>("client port", caps);
  cs_limits_ = std::make_unique<net::ConnectionLimiter>("chunkserver port", caps);
  ml_limits_ = std::make_unique<net::ConnectionLimiter>("metalogger port", caps);
  // A refused socket is closed at once: its UniqueFd goes out of scope.
  auto cl = bind(config_.matocl, [this](net::UniqueFd fd, net::Address peer) {
    if (auto slot = client_limits_->Admit(peer)) AcceptClient(std::move(fd), peer, slot);
  });
  if (!cl.ok()) return cl.status();
  client_listener_ = std::move(*cl);
  auto cs = bind(config_.matocs, [this](net::UniqueFd fd, net::Address peer) {
    if (auto slot = cs_limits_->Admit(peer)) hub_->Accept(std::move(fd), peer, slot);
  });
  if (!cs.ok()) return cs.status();
  cs_listener_ = std::move(*cs);
  auto ml = bind(config_.matoml, [this](net::UniqueFd fd, net::Address peer) {
    if (auto slot = ml_limits_->Admit(peer)) ml_hub_->Accept(std::move(fd), peer, slot);
  });
  if (!ml.ok()) return ml.status();
  ml_listener_ = std::move(*ml);
  client_port_ = client_listener_->port();
  cs_port_ = cs_listener_->port();
  ml_port_ = ml_listener_->port();
  return Status::Ok();
}

Status MasterServer::StartMonitor() {
  MonitorSources sources{*meta_,
                         sessions_,
                         exports_,
                         *hub_,
                         *ml_hub_,
                         *client_ctx_,
                         [this] {
                           std::set<uint32_t> ids;
                           for (const auto& [raw, link] : clients_)
                             if (link->session_id() != 0) ids.insert(link->session_id());
                           return ids;
                         },
                         &MasterServer::Now};
  sources.chunk_loop = chunk_loop_.get();
  sources.role = &role_;
  sources.leader_connected = [this] { return leader_link_ && leader_link_->streaming(); };
  MonitorFeedOptions options;
  options.listen = config_.http;
  options.history_file = config_.data_path + "/stats.mfs";
  options.software_version = ELKFS_VERSION;
  options.history_step = config_.http_history_step;
  options.max_connections = config_.http_max_connections;
  options.max_per_address = config_.http_max_per_ip;
  auto feed = MonitorFeed::Start(*loop_, std::move(sources), options);
  if (!feed.ok()) return feed.status();
  monitor_ = std::move(*feed);
  client_ctx_->monitor = [this](const protocol::CltomaMonitor& m) { return monitor_->Page(m); };
  if (config_.http) {
    log::Info("mfsmaster: monitor on http://{}:{}/", config_.http->host, monitor_->port());
  } else {
    log::Info("mfsmaster: monitor on the client port only (HTTP_LISTEN_PORT = 0)");
  }
  return Status::Ok();
}

void MasterServer::StartTimers() {
  if (!role_.following()) chunk_loop_->Start();  // a follower does no chunk housekeeping
  loop_->RunEvery(std::chrono::hours(config_.metadata_save_freq), [this] { (void)SaveImage(); });
  loop_->RunEvery(std::chrono::seconds(config_.empty_trash_period), [this] { PurgeTrash(); });
  loop_->RunEvery(kSessionsEvery, [this] { ExpireSessions(); });
}

std::set<uint32_t> MasterServer::ConnectedSessions() const {
  std::set<uint32_t> ids;
  for (const auto& [raw, link] : clients_) {
    if (link->session_id() != 0 && !link->joined()) ids.insert(link->session_id());
  }
  return ids;
}

void MasterServer::AcceptClient(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot) {
  auto link = std::make_unique<ClientLink>(*client_ctx_);
  ClientLink* raw = link.get();
  std::weak_ptr<bool> alive = alive_;
  auto on_close = [this, raw, alive] {
    loop_->Defer([this, raw, alive] {
      if (!alive.expired()) clients_.erase(raw);
    });
  };
  if (Status s = link->Start(std::move(fd), peer, on_close, std::move(slot)); !s.ok()) {
    log::Warning("client {}: {}", peer.ToString(), s.ToString());
    return;
  }
  clients_.emplace(raw, std::move(link));
}

// The changelog cannot take another record: nothing more may be acknowledged, and the
// writer is never retried (changelog::Writer::Commit). The master stops at once, without
// the clean stop's image (that would make the unlogged changes durable on a disk that just
// failed, and remove the marker that makes the next start recover). Its next start, with
// -a, replays the changelog: every acknowledged change is there.
void MasterServer::OnCommitFailure(const Status& why) {
  if (!failed_.ok()) return;
  failed_ = why;
  log::Error(
      "changelog failed: {}. mfsmaster stops now: no further request is acknowledged; the "
      "{} client connections are closed; start it again with -a once the disk is sound",
      why.ToString(), clients_.size());
  for (auto& [raw, link] : clients_)
    link->Close(why);
  loop_->Stop();
}

bool MasterServer::SaveImage() {
  if (saver_->busy()) {
    log::Warning(
        "metadata image: the previous save is still being written; this one waits "
        "for the next turn");
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  auto img = meta_->PrepareImage(Now());
  if (!img.ok()) {
    log::Error("metadata image not saved: {}", img.status().ToString());
    return false;
  }
  log::Info("metadata image at version {} taken in {} ms; writing it in the background",
            img->version,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count());
  return saver_->Start(std::move(*img), [](const Status& s) {
    if (!s.ok()) log::Error("metadata image not saved: {}", s.ToString());
  });
}

void MasterServer::PurgeTrash() {
  // Only the leader's records change a follower; a leader whose lease is in doubt waits.
  if (role_.following() || !MayAcknowledge()) return;
  if (meta_->PurgeExpired(Now(), config_.empty_trash_batch) == 0) return;
  if (Status s = meta_->Commit(); !s.ok()) log::Error("commit after trash purge: {}", s.ToString());
}

void MasterServer::ExpireSessions() {
  if (role_.following() || !MayAcknowledge()) return;
  std::vector<uint32_t> gone = sessions_.Expire(Now(), config_.session_sustain_time);
  for (uint32_t id : gone) {
    locks_->DropSession(id, "expired");
    // Its descriptors died with it: files it held open while unlinked can go now.
    size_t closed = 0;
    for (auto [inode, count] : meta_->ns().OpensOf(id)) {
      for (uint32_t i = 0; i < count; ++i, ++closed)
        meta_->Close(inode, id, Now());
    }
    log::Info("session {} expired{}", id,
              closed == 0 ? "" : fmt::format(" ({} open descriptors closed)", closed));
  }
  if (!gone.empty()) {
    if (Status s = meta_->Commit(); !s.ok()) log::Error("commit after expiry: {}", s.ToString());
  }
  (void)SaveSessions();
}

Status MasterServer::Run() {
  Status s = loop_->Run();
  Shutdown();
  if (!failed_.ok())
    return Status(failed_.code(), "stopped: changelog failed: " + failed_.message());
  return s;
}

void MasterServer::Stop() {
  loop_->Stop();
}

void MasterServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (client_ctx_) client_ctx_->monitor = nullptr;
  monitor_.reset();
  leader_link_.reset();
  if (!failed_.ok()) return AbandonAfterFailure();
  if (gate_) gate_->Flush();
  client_listener_.reset();
  cs_listener_.reset();
  ml_listener_.reset();
  clients_.clear();
  if (hub_) hub_->CloseAll();
  // The last records reach the metaloggers, so they resume without an image after a restart.
  if (ml_hub_) ml_hub_->Drain(std::chrono::seconds(2));
  // Only now, with the last records sent to the followers, may another master lead.
  if (election_) election_->Stop(/*resign=*/true);
  (void)SaveSessions();
  saver_->Wait();  // a background save finishes before the final one replaces it
  // Commits, saves metadata.mfs and removes the running marker: the next start needs no -a.
  if (Status s = meta_->Stop(Now()); !s.ok()) log::Error("clean stop failed: {}", s.ToString());
  log::Info("mfsmaster stopped at metadata version {}", meta_->version());
}

// Shutdown after OnCommitFailure: connections closed, nothing committed or saved, the
// running marker left for the next start's recovery.
void MasterServer::AbandonAfterFailure() {
  if (election_) election_->Stop(/*resign=*/true);  // another master leads from here
  client_listener_.reset();
  cs_listener_.reset();
  ml_listener_.reset();
  clients_.clear();
  if (hub_) hub_->CloseAll();
  saver_->Wait();  // an image of an older version is still good; let it finish
  log::Error(
      "mfsmaster stopped after a changelog failure; metadata version {} in memory was "
      "not all logged: recover with mfsmaster -a",
      meta_->version());
}

}  // namespace elk::master
