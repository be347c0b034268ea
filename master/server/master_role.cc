// MasterServer as leader or follower: the transitions (FollowLeader, BecomeLeader) and what
// a follower does with its leader's image and records. See docs/failover.md, "Followers".

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "common/atomic_file.h"
#include "common/log/log.h"
#include "master/server/master_server.h"

namespace elk::master {

// Present while DATA_PATH holds a follower's copy of its leader's history (written when an
// image from the leader is installed). A follower started without it resyncs from an image
// rather than resume by version: an ex-leader's files may hold records no leader has.
std::string MasterServer::FollowerMarkerPath() const {
  return config_.data_path + "/metadata.follower";
}

// The marker names the leader and its term: an elected follower resumes from its own files
// only for the same leader in the same epoch (one term's history is one line of records).
std::string MasterServer::MarkerText(const std::string& host, uint16_t port, uint64_t epoch) {
  return fmt::format("{}:{} epoch {}\n", host, port, epoch);
}

Status MasterServer::FollowLeader(const std::string& host, uint16_t port, uint64_t epoch) {
  const bool was_leader = !role_.following();
  if (!was_leader && host == role_.leader_host && port == role_.leader_follow_port &&
      epoch == role_.epoch) {
    return Status::Ok();  // already following it
  }
  log::Warning("mfsmaster: now a follower of {}:{} (epoch {}){}", host, port, epoch,
               was_leader ? "; clients, chunkservers and metaloggers are sent there" : "");
  if (leader_link_) leader_link_->Stop();
  if (was_leader) DropPeersForFollowing();
  (void)meta_->Commit();
  // A new leader's history may differ from ours after some version: start from its image.
  std::filesystem::remove(FollowerMarkerPath());
  role_ = RoleState{};
  role_.role = MasterRole::kFollower;
  role_.epoch = epoch;
  role_.leader_host = host;
  role_.leader_follow_port = port;
  role_.caught_up_at = Now();
  StartFollowing(/*resume=*/false);
  UpdateCampaignLag();
  return Status::Ok();
}

void MasterServer::DropPeersForFollowing() {
  chunk_loop_->Stop();
  if (gate_) gate_->Flush();
  for (auto& [raw, link] : clients_)
    link->Close(Status(Code::kNotLeader, "this master now follows another"));
  hub_->CloseAll();
  ml_hub_->CloseAll();
}

void MasterServer::StartFollowing(bool resume) {
  needs_image_ = !resume;
  LeaderLinkOptions o;
  o.host = role_.leader_host;
  o.port = role_.leader_follow_port;
  o.auth_code = config_.auth_code;
  o.version = ELKFS_VERSION;
  o.timeout = std::chrono::seconds(config_.matoml_timeout);
  o.reconnect_delay = config_.follow_reconnect_delay;
  o.epoch = role_.epoch;
  // The old link may be inside one of its own callbacks: it goes on the next loop turn.
  if (leader_link_) loop_->Defer([old = std::shared_ptr<LeaderLink>(std::move(leader_link_))] {});
  leader_link_ = std::make_unique<LeaderLink>(*loop_, std::move(o), MakeLeaderSink());
  leader_link_->Start();
}

LeaderSink MasterServer::MakeLeaderSink() {
  LeaderSink sink;
  sink.version = [this]() -> uint64_t { return needs_image_ ? 0 : meta_->version(); };
  sink.install_image = [this](const image::Image& img) { return InstallLeaderImage(img); };
  sink.apply = [this](const changelog::Record& rec) { return ApplyLeaderRecord(rec); };
  sink.leader_info = [this](const protocol::MatomlLeaderInfo& m) { OnLeaderInfo(m); };
  sink.commit = [this] {
    Status s = meta_->Commit();
    // Before the leader hears we hold these records (MLTOMA_APPLIED follows): a candidate
    // never announces less than it acknowledged.
    UpdateHeldMetadata();
    return s;
  };
  return sink;
}

Status MasterServer::InstallLeaderImage(const image::Image& img) {
  const uint64_t had = meta_->version();
  if (Status s = meta_->ResetToImage(img); !s.ok()) {
    needs_image_ = role_.diverged = true;
    log::Error("follower: the leader's image of version {} not installed: {}", img.version,
               s.ToString());
    return s;
  }
  needs_image_ = role_.diverged = false;
  synced_ = true;
  UpdateCampaignLag();  // now, not at the next tick: the leader may be gone by then
  role_.leader_version = std::max(role_.leader_version, img.version);
  if (meta_->version() >= role_.leader_version) role_.caught_up_at = Now();
  if (Status s =
          WriteFileAtomically(FollowerMarkerPath(),
                              MarkerText(role_.leader_host, role_.leader_follow_port, role_.epoch));
      !s.ok()) {
    log::Warning("follower: {}", s.ToString());
  }
  log::Info("follower: metadata replaced by the leader's image of version {} (was version {})",
            img.version, had);
  return Status::Ok();
}

Status MasterServer::ApplyLeaderRecord(const changelog::Record& rec) {
  if (Status s = meta_->ApplyFollowed(rec); !s.ok()) {
    // Part of the record may have been applied: this state serves nothing until an image
    // replaces it.
    needs_image_ = role_.diverged = true;
    log::Error("follower: {}; the state waits for the leader's image", s.ToString());
    return s;
  }
  const uint32_t now = Now();
  role_.last_applied_at = now;
  role_.leader_version = std::max(role_.leader_version, rec.version);
  if (rec.version >= role_.leader_version) role_.caught_up_at = now;
  return Status::Ok();
}

void MasterServer::OnLeaderInfo(const protocol::MatomlLeaderInfo& m) {
  role_.leader_client_port = m.client_port;
  role_.leader_chunkserver_port = m.chunkserver_port;
  role_.leader_metalogger_port = m.metalogger_port;
  role_.epoch = std::max(role_.epoch, m.epoch);
  role_.leader_version = std::max(role_.leader_version, m.version);
  if (!needs_image_ && meta_->version() >= role_.leader_version) role_.caught_up_at = Now();
  if (!needs_image_) synced_ = true;  // our lag behind the leader is known from now on
  UpdateCampaignLag();
}

Status MasterServer::ReloadRole(const std::string& follow) {
  if (election_) {
    if (follow.empty()) return Status::Ok();
    return Status(Code::kBadConfig,
                  "MASTER_FOLLOW ignored: with ETCD_ENDPOINTS the election chooses the leader");
  }
  std::optional<FollowTarget> target;
  if (!follow.empty()) {
    auto parsed = ParseFollow(follow);
    if (!parsed.ok()) return parsed.status();  // checked here: a typo must not demote a leader
    target = std::move(*parsed);
  }
  loop_->Post([this, target = std::move(target)] {
    Status s = target ? FollowLeader(target->host, target->port, role_.epoch)
                      : (role_.following() ? BecomeLeader(role_.epoch) : Status::Ok());
    if (!s.ok()) log::Error("MASTER_FOLLOW reloaded: {}", s.ToString());
  });
  return Status::Ok();
}

Status MasterServer::BecomeLeader(uint64_t epoch) {
  if (!role_.following()) {
    role_.epoch = std::max(role_.epoch, epoch);
    return Status::Ok();
  }
  if (needs_image_) {
    return Status(
        Code::kBusy,
        fmt::format("not promoted: the state at version {} waits for the leader's image "
                    "({})",
                    meta_->version(),
                    role_.diverged ? "a replay failed" : "never synced with this leader"));
  }
  if (leader_link_) {
    leader_link_->Stop();
    loop_->Defer([old = std::shared_ptr<LeaderLink>(std::move(leader_link_))] {});
  }
  if (Status s = meta_->Commit(); !s.ok()) return s;
  std::filesystem::remove(FollowerMarkerPath());
  const uint64_t followed = role_.leader_version;
  role_ = RoleState{};
  role_.epoch = epoch;
  role_.led_from = meta_->version();
  chunk_loop_->Start();
  synced_ = true;
  UpdateCampaignLag();
  AdoptFollowedSessions();
  log::Warning(
      "mfsmaster: now the leader (epoch {}) at metadata version {} (the old leader had announced "
      "{}); chunkservers register and report their chunks",
      epoch, meta_->version(), followed);
  return Status::Ok();
}

}  // namespace elk::master
