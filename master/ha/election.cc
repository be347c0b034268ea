#include "master/ha/election.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/log/log.h"

namespace elk::master::ha {
namespace {

using std::chrono::milliseconds;

milliseconds MarginFor(const ElectionOptions& o) {
  if (o.clock_margin > milliseconds(0)) return o.clock_margin;
  return std::max(milliseconds(100), std::chrono::duration_cast<milliseconds>(o.lease_ttl) / 10);
}

// A third of the TTL, so two keep-alives can fail before the deadline.
milliseconds RenewalPeriod(int64_t ttl_seconds) {
  return milliseconds(ttl_seconds * 1000) / 3;
}

bool SameView(const RoleChange& a, const RoleChange& b) {
  return a.role == b.role && a.epoch == b.epoch && a.leader_id == b.leader_id &&
         a.leader_address == b.leader_address && a.leader_follow == b.leader_follow;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kCandidate:
      return "candidate";
    case Role::kFollower:
      return "follower";
    case Role::kLeader:
      return "leader";
    case Role::kLost:
      return "lost";
  }
  return "?";
}

}  // namespace

std::string LeaderValue(const std::string& node_id, const std::string& address,
                        const std::string& follow) {
  nlohmann::json v = {{"node", node_id}, {"address", address}};
  if (!follow.empty()) v["follow"] = follow;
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

RoleChange FollowerOf(const KeyValue& kv) {
  RoleChange c{Role::kFollower, kv.create_revision, {}, {}, {}};
  auto v = nlohmann::json::parse(kv.value, nullptr, /*allow_exceptions=*/false);
  if (!v.is_object()) return c;
  if (auto it = v.find("node"); it != v.end() && it->is_string()) c.leader_id = *it;
  if (auto it = v.find("address"); it != v.end() && it->is_string()) c.leader_address = *it;
  if (auto it = v.find("follow"); it != v.end() && it->is_string()) c.leader_follow = *it;
  return c;
}

Election::Callback PostingTo(net::EventLoop& loop, Election::Callback cb) {
  return [&loop, cb = std::move(cb)](const RoleChange& change) {
    loop.Post([cb, change] { cb(change); });
  };
}

Result<std::unique_ptr<Election>> Election::Start(std::unique_ptr<EtcdClient> client,
                                                  ElectionOptions options, Callback on_change) {
  if (!client) return Status(Code::kInval, "election: no etcd client");
  if (options.node_id.empty()) return Status(Code::kInval, "election: MASTER_NODE_ID is empty");
  if (options.address.empty()) return Status(Code::kInval, "election: no address to advertise");
  if (options.lease_ttl < std::chrono::seconds(1)) {
    return Status(Code::kInval, "election: MASTER_LEASE_TTL under 1 s");
  }
  if (options.resign_holdoff <= milliseconds(0)) options.resign_holdoff = options.lease_ttl;
  std::unique_ptr<Election> e(
      new Election(std::move(client), std::move(options), std::move(on_change)));
  e->thread_ = std::thread([p = e.get()] { p->Run(); });
  return e;
}

Election::Election(std::unique_ptr<EtcdClient> client, ElectionOptions options, Callback on_change)
    : client_(std::move(client)),
      options_(std::move(options)),
      on_change_(std::move(on_change)),
      leader_key_(options_.prefix + "leader"),
      my_value_(LeaderValue(options_.node_id, options_.address, options_.follow)),
      deadline_(MarginFor(options_)) {
  if (options_.held_metadata) {
    board_ = std::make_unique<CandidateBoard>(*client_, options_.prefix, options_.node_id,
                                              options_.lease_ttl.count());
  }
}

Election::~Election() {
  Stop(true);
}

void Election::Stop(bool resign) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    resign_on_stop_ = resign;
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Election::Resign() {
  {
    std::lock_guard lock(mu_);
    resign_requested_ = true;
  }
  wake_.notify_all();
}

void Election::WaitUntil(Clock::time_point until) {
  std::unique_lock lock(mu_);
  wake_.wait_until(lock, until, [&] { return stop_.load() || resign_requested_.load(); });
}

void Election::Run() {
  while (!Stopping()) {
    if (resign_requested_.exchange(false) && role_ == Role::kLeader) GiveUpLead();
    if (role_ == Role::kLeader) {
      LeadOnce();
    } else {
      FollowOnce();
    }
  }
  // A clean stop takes our entry off the board at once; a crash leaves it to its TTL.
  if (board_ && resign_on_stop_) board_->Withdraw();
  if (role_ != Role::kLeader) return;
  if (resign_on_stop_) {
    GiveUpLead();
  } else {
    deadline_.Clear();  // a crash: the key stays until the lease expires in etcd
  }
}

void Election::Report(RoleChange change) {
  if (change.role != Role::kLost && SameView(change, reported_)) return;
  reported_ = change;
  log::Info("master election ({}): {} (epoch {}{}{})", options_.node_id, RoleName(change.role),
            change.epoch, change.leader_id.empty() ? "" : ", leader ", change.leader_id);
  if (on_change_) on_change_(change);
}

void Election::Warn(const Status& s, const char* doing) {
  std::string line =
      fmt::format("master election ({}): {}: {}", options_.node_id, doing, s.ToString());
  if (line == last_warning_) return;  // once per distinct failure, not once per poll
  last_warning_ = line;
  log::Warning("{}", line);
}

void Election::DropStaleLease() {
  if (stale_lease_ != 0 && client_->RevokeLease(stale_lease_).ok()) stale_lease_ = 0;
}

void Election::FollowOnce() {
  DropStaleLease();
  auto kv = client_->Get(leader_key_);
  Clock::time_point now = Clock::now();
  if (!kv.ok()) {
    Warn(kv.status(), "reading the leader key");
    return WaitUntil(now + options_.poll_interval);
  }
  last_warning_.clear();
  if (kv->has_value()) {
    if (board_) board_->Withdraw();
    last_deferral_.clear();
    epoch_ = (*kv)->create_revision;
    Report(FollowerOf(**kv));
    return WaitUntil(now + options_.poll_interval);
  }
  Report({Role::kCandidate, epoch_.load(), {}, {}, {}});
  if (now < holdoff_until_)
    return WaitUntil(std::min(holdoff_until_, now + options_.poll_interval));
  milliseconds delay = options_.campaign_delay ? options_.campaign_delay() : milliseconds(0);
  if (board_) {
    if (!CampaignIfNewest(delay)) WaitUntil(Clock::now() + options_.poll_interval);
    return;
  }
  if (delay > milliseconds(0)) {
    WaitUntil(now + delay);
    if (Stopping() || resign_requested_.load()) return;
  }
  Campaign();
}

bool Election::CampaignIfNewest(milliseconds delay) {
  const HeldMetadata mine = options_.held_metadata();
  if (Status s = board_->Announce(mine); !s.ok()) {
    Warn(s, "announcing the metadata held");
    Campaign();  // etcd decides: the campaign fails too if it is unreachable
    return true;
  }
  // Announced first, then the delay: a slow or lagging candidate is on the board while the
  // others compare.
  milliseconds settle = options_.candidate_settle;
  if (settle <= milliseconds(0)) settle = 2 * options_.poll_interval;
  WaitUntil(Clock::now() + std::max(settle, delay));
  if (Stopping() || resign_requested_.load()) return false;
  auto better = board_->Better(mine);
  if (!better.ok()) Warn(better.status(), "reading the other candidates");
  if (!better.ok() || !better->has_value()) {
    Campaign();
    return true;
  }
  std::string line = fmt::format(
      "master election ({}): candidate '{}' holds newer metadata (term {}, version {}) than "
      "ours (term {}, version {}): it goes first",
      options_.node_id, (*better)->node, (*better)->held.term, (*better)->held.version, mine.term,
      mine.version);
  if (line != last_deferral_) log::Info("{}", line);
  last_deferral_ = std::move(line);
  return false;
}

void Election::Campaign() {
  Clock::time_point sent = Clock::now();
  auto lease = client_->GrantLease(options_.lease_ttl.count());
  if (!lease.ok()) {
    Warn(lease.status(), "granting a lease");
    return WaitUntil(sent + options_.poll_interval);
  }
  auto result = client_->CreateIfAbsent(leader_key_, my_value_, lease->id);
  // The key names our lease also when an earlier try of this same request took effect.
  bool won = result.ok() && (result->created || result->kv.lease == lease->id);
  if (!won) {
    stale_lease_ = lease->id;  // whatever happened, this lease leads nothing
    DropStaleLease();
    if (!result.ok()) {
      Warn(result.status(), "campaigning");
    } else {
      epoch_ = result->kv.create_revision;
      Report(FollowerOf(result->kv));
    }
    return WaitUntil(Clock::now() + options_.poll_interval);
  }
  lease_ = *lease;
  if (board_) board_->Withdraw();
  last_deferral_.clear();
  key_mod_revision_ = result->kv.mod_revision;
  epoch_ = result->kv.create_revision;
  role_ = Role::kLeader;
  deadline_.Renewed(sent, std::chrono::seconds(lease_.ttl));
  next_renewal_ = sent + RenewalPeriod(lease_.ttl);
  Report({Role::kLeader, epoch_.load(), options_.node_id, options_.address, options_.follow});
  if (!deadline_.Held(Clock::now())) LoseLead("the campaign took longer than the lease");
}

void Election::LeadOnce() {
  WaitUntil(std::min(next_renewal_, deadline_.deadline()));
  if (Stopping() || resign_requested_.load()) return;
  Clock::time_point sent = Clock::now();
  if (!deadline_.Held(sent)) return LoseLead("no keep-alive answered before the lease deadline");
  auto ttl = client_->KeepAlive(lease_.id);
  if (!ttl.ok()) {
    Warn(ttl.status(), "renewing the lease");
    if (!deadline_.Held(Clock::now())) return LoseLead("no keep-alive answered by the deadline");
    next_renewal_ = Clock::now() + options_.poll_interval;  // retry soon, until the deadline
    return;
  }
  if (*ttl <= 0) return LoseLead("etcd says the lease expired");
  last_warning_.clear();
  deadline_.Renewed(sent, std::chrono::seconds(*ttl));
  next_renewal_ = sent + RenewalPeriod(lease_.ttl);
  // The lease lives; the key could still have been deleted by hand. An error here proves
  // nothing either way: the deadline decides.
  auto kv = client_->Get(leader_key_);
  if (kv.ok() && (!kv->has_value() || (*kv)->create_revision != epoch_.load())) {
    LoseLead("the leader key was deleted or replaced");
  }
}

void Election::LoseLead(const std::string& why) {
  deadline_.Clear();
  log::Warning("master election ({}): lost the lead of epoch {}: {}", options_.node_id,
               epoch_.load(), why);
  role_ = Role::kCandidate;
  stale_lease_ = lease_.id;
  lease_ = {};
  Report({Role::kLost, epoch_.load(), {}, {}, {}});
  DropStaleLease();
}

void Election::GiveUpLead() {
  deadline_.Clear();  // stop acknowledging before the key is gone
  auto deleted = client_->DeleteIfModRevision(leader_key_, key_mod_revision_);
  if (!deleted.ok()) Warn(deleted.status(), "deleting the leader key");
  stale_lease_ = lease_.id;
  lease_ = {};
  DropStaleLease();
  role_ = Role::kCandidate;
  holdoff_until_ = Clock::now() + options_.resign_holdoff;
  log::Info("master election ({}): resigned the lead of epoch {}", options_.node_id, epoch_.load());
  Report({Role::kCandidate, epoch_.load(), {}, {}, {}});
}

}  // namespace elk::master::ha
