// MasterServer in an etcd election (ETCD_ENDPOINTS): the election (master/ha) decides the
// role, this file turns its reports into the transitions of master_role.cc, and tells the
// ports and the reply gate whether this master may still act as the leader. See
// docs/failover.md, "Automatic fail-over".

#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>

#include "common/log/log.h"
#include "master/ha/campaign_delay.h"
#include "master/server/master_server.h"

namespace elk::master {

namespace {

// etcd requests must stay well under TTL/3 (master/ha/README.md).
constexpr auto kEtcdTimeout = std::chrono::milliseconds(1000);
constexpr auto kLagEvery = std::chrono::milliseconds(200);
// As many versions behind as CampaignDelay turns into 1 s: the cost of an unknown state.
constexpr uint64_t kUnsyncedLag = 1000;

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// The host peers reach a port at: its listen host when it names one, else the host name.
std::string AdvertisedHost(const ListenAddress& l) {
  if (l.host.empty() || l.host == "*" || l.host == "0.0.0.0") return HostName();
  return l.host;
}

std::string HostPort(const std::string& host, uint16_t port) {
  return host + ":" + std::to_string(port);
}

}  // namespace

Status MasterServer::StartElection() {
  auto client = ha::EtcdClient::Connect(config_.ha.etcd_endpoints, kEtcdTimeout);
  if (!client.ok()) return client.status();
  ha::ElectionOptions o;
  o.prefix = config_.ha.etcd_prefix;
  o.node_id = config_.ha.node_id.empty() ? HostName() : config_.ha.node_id;
  o.address = HostPort(AdvertisedHost(config_.matocl), client_port_);
  o.follow = HostPort(AdvertisedHost(config_.matoml), ml_port_);
  o.lease_ttl = std::chrono::seconds(config_.ha.lease_ttl);
  if (config_.ha.poll_interval.count() > 0) o.poll_interval = config_.ha.poll_interval;
  // The campaign delay is asked on the election's thread: it reads an atomic the loop keeps.
  o.campaign_delay = [this] { return ha::CampaignDelay(campaign_lag_.load(), {}); };
  o.held_metadata = [this] {
    std::lock_guard lock(held_mu_);
    return held_;
  };
  node_id_ = o.node_id;
  loop_->RunEvery(kLagEvery, [this] { UpdateCampaignLag(); });
  UpdateCampaignLag();
  log::Info("mfsmaster: in the election on {} as '{}' (clients at {}, followers at {}, lease {} s)",
            config_.ha.etcd_endpoints, o.node_id, o.address, o.follow, config_.ha.lease_ttl);
  auto election = ha::Election::Start(
      std::move(*client), std::move(o),
      ha::PostingTo(*loop_, [this](const ha::RoleChange& c) { OnElection(c); }));
  if (!election.ok()) return election.status();
  election_ = std::move(*election);
  return Status::Ok();
}

// A candidate whose state waits for an image is as far behind as can be; one that has not
// been in touch with a leader since it started (its files may be old) waits half that; a
// follower lags by the versions it has not applied; a leader (after kLost) by none.
void MasterServer::UpdateCampaignLag() {
  uint64_t lag = role_.LagRecords(meta_->version());
  if (needs_image_) {
    lag = UINT64_MAX;
  } else if (!synced_) {
    lag = kUnsyncedLag;
  }
  campaign_lag_.store(lag);
  UpdateHeldMetadata();
}

void MasterServer::UpdateHeldMetadata() {
  // The term vouches for the version only when our copy is that term's leader's (we led
  // it, or follow it from its image or our marker); files of unknown history count as
  // term 0, behind every vouched copy.
  const uint64_t term = needs_image_ ? 0 : role_.epoch;
  std::lock_guard lock(held_mu_);
  held_ = {term, meta_->version()};
}

void MasterServer::OnElection(const ha::RoleChange& c) {
  if (shut_down_) return;
  switch (c.role) {
    case ha::Role::kLeader:
      if (Status s = BecomeLeader(static_cast<uint64_t>(c.epoch)); !s.ok()) {
        // We hold the key but must not serve this state: let another candidate lead.
        log::Error("election: won epoch {} but cannot lead: {}; resigning", c.epoch, s.ToString());
        election_->Resign();
      }
      return;
    case ha::Role::kFollower:
      return FollowElected(c);
    case ha::Role::kLost:
      return LeaveLead(fmt::format("the lease of epoch {} could not be renewed in time", c.epoch));
    case ha::Role::kCandidate:
      return;  // the key is free: a leader is being elected; keep what we do until then
  }
}

void MasterServer::FollowElected(const ha::RoleChange& c) {
  if (c.leader_id == node_id_) {
    // Our own key from before a restart, until its lease expires: no leader to follow yet.
    return LeaveLead("etcd still holds this node's key from an earlier run");
  }
  auto follow = ParseFollow(c.leader_follow);
  auto address = ParseFollow(c.leader_address);
  if (!follow.ok()) {
    log::Error("election: the leader {} of epoch {} gives no follow address ('{}'): {}",
               c.leader_id, c.epoch, c.leader_follow, follow.status().ToString());
    return LeaveLead("the elected leader cannot be followed");
  }
  const auto epoch = static_cast<uint64_t>(c.epoch);
  if (!ResumeElected(*follow, epoch)) {
    if (Status s = FollowLeader(follow->host, follow->port, epoch); !s.ok()) {
      log::Error("election: following {}: {}", c.leader_id, s.ToString());
      return;
    }
  }
  // Peers can be sent there before its first MATOML_LEADER_INFO arrives.
  if (address.ok() && role_.leader_client_port == 0) role_.leader_client_port = address->port;
}

// Just started, and our files are a follower's copy of this same leader's term (the
// marker): follow it from our version, as a MASTER_FOLLOW restart does, without an image.
bool MasterServer::ResumeElected(const FollowTarget& leader, uint64_t epoch) {
  if (synced_ || !role_.following() || leader_link_ || needs_image_) return false;
  std::ifstream in(FollowerMarkerPath());
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str() != MarkerText(leader.host, leader.port, epoch)) return false;
  role_.epoch = epoch;
  role_.leader_host = leader.host;
  role_.leader_follow_port = leader.port;
  role_.caught_up_at = Now();
  log::Info("mfsmaster: following {}:{} (epoch {}) from our own files at version {}", leader.host,
            leader.port, epoch, meta_->version());
  // The leader sends what follows our version, or an image when it cannot; our lag is
  // known (synced_) once its first MATOML_LEADER_INFO has said its version.
  StartFollowing(/*resume=*/true);
  return true;
}

// The lead is gone (or was never ours): acknowledge nothing, send every peer away, and wait
// for the election to name a leader. The state stays ours: if we win again we lead from it.
void MasterServer::LeaveLead(const std::string& why) {
  if (role_.following()) {
    if (leader_link_) return;  // following someone: a newer report will say whom
    role_.leader_host.clear();
    return;
  }
  log::Warning(
      "mfsmaster: no longer the leader (epoch {}): {}; clients and chunkservers are sent "
      "away until a leader is elected",
      role_.epoch, why);
  DropPeersForFollowing();
  const uint64_t epoch = role_.epoch;
  role_ = RoleState{};
  role_.role = MasterRole::kFollower;
  role_.epoch = epoch;
  role_.caught_up_at = Now();
}

bool MasterServer::MayAcknowledge() const {
  return !election_ || election_->StillLeader(ha::Clock::now());
}

std::optional<protocol::AntoanNotLeader> MasterServer::NotLeaderFor(protocol::Role peer) const {
  // mfscli and mfscgiserv read this master's own state, whatever its role.
  if (peer == protocol::Role::kMonitor) return std::nullopt;
  if (election_ && role_.following() && !(leader_link_ && leader_link_->connected())) {
    // Cut off from the leader we follow: it is probably gone, and the election names
    // another within a lease. "Try again" keeps clients asking here every 250 ms rather
    // than failing at a dead address and backing off for seconds.
    return protocol::AntoanNotLeader{role_.epoch, "", 0};
  }
  if (auto refusal = role_.NotLeader(peer)) return refusal;
  if (MayAcknowledge()) return std::nullopt;
  // Leading by role, but the lease is not proven: nobody is served until the election says.
  return protocol::AntoanNotLeader{role_.epoch, "", 0};
}

// The gate found the lease unproven: the replies of this turn were withheld (their changes
// stay in memory, unacknowledged, like those of a master that crashed before replying).
void MasterServer::OnAcknowledgeRefused(const Status& why) {
  log::Warning("mfsmaster: replies withheld: {}; {} client connections closed", why.message(),
               clients_.size());
  for (auto& [raw, link] : clients_)
    link->Close(why);
}

}  // namespace elk::master
