#pragma once
// Master leader election on etcd. One Election per mfsmaster; it runs on a thread of its
// own (etcd calls block) and reports role changes through a callback on that thread -
// PostingTo() turns it into tasks on the master's event loop.
//
// The leader key is <prefix>leader; its value names the holder (node id and the address
// clients use); it is attached to the holder's lease. The term's epoch is the key's
// create_revision (docs/failover.md says why it only grows).
//
//   auto e = Election::Start(std::move(client), options,
//                            PostingTo(loop, [&](const RoleChange& c) { ... }));
//   ...
//   if (!(*e)->StillLeader(Clock::now())) refuse();  // before every acknowledgement

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/net/event_loop.h"
#include "common/status.h"
#include "master/ha/candidate_board.h"
#include "master/ha/etcd_client.h"
#include "master/ha/lease_deadline.h"

namespace elk::master::ha {

enum class Role {
  kCandidate,  // the leader key is free, or we just resigned (etcd unreachable: no report)
  kFollower,   // another node leads: leader_id, leader_address, epoch
  kLeader,     // we lead, term `epoch`
  kLost,       // we led term `epoch` and can no longer prove it; we campaign again next
};

struct RoleChange {
  Role role = Role::kCandidate;
  int64_t epoch = 0;
  std::string leader_id;
  std::string leader_address;
  // HOST:PORT followers replicate from (the leader's metalogger port); empty when the value
  // came from a version that did not carry it.
  std::string leader_follow;
};

struct ElectionOptions {
  std::string prefix = "/elkfs/";     // ETCD_PREFIX
  std::string node_id;                // MASTER_NODE_ID
  std::string address;                // HOST:PORT clients reach this master at
  std::string follow;                 // HOST:PORT followers reach it at (optional)
  std::chrono::seconds lease_ttl{5};  // MASTER_LEASE_TTL (etcd may raise it to its minimum)
  // How often a non-leader reads the leader key (and so how fast it notices a free key).
  std::chrono::milliseconds poll_interval{200};
  // StillLeader() ends this long before sent + TTL; 0 = a tenth of the TTL, at least 100 ms.
  std::chrono::milliseconds clock_margin{0};
  // After Resign(), this node does not campaign for this long (0 = one TTL), so another
  // candidate takes over.
  std::chrono::milliseconds resign_holdoff{0};
  // Asked each time the key is free, before campaigning (campaign_delay.h); empty = 0.
  std::function<std::chrono::milliseconds()> campaign_delay;
  // The metadata this node holds, asked each time the key is free: set, the candidates
  // compare theirs through etcd and only the newest campaigns (candidate_board.h).
  std::function<HeldMetadata()> held_metadata;
  // How long a candidate waits for the others' entries before comparing; 0 = two poll
  // intervals (every candidate notices the free key within one).
  std::chrono::milliseconds candidate_settle{0};
};

class Election {
 public:
  using Callback = std::function<void(const RoleChange&)>;

  // Starts the election thread. kInval on an empty node id or address, or a TTL < 1 s.
  static Result<std::unique_ptr<Election>> Start(std::unique_ptr<EtcdClient> client,
                                                 ElectionOptions options, Callback on_change);
  // Stop(/*resign=*/true).
  ~Election();
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  // Any thread: true while this node holds the lease by its local deadline. A leader
  // acknowledges nothing when it is false.
  bool StillLeader(Clock::time_point now) const { return deadline_.Held(now); }
  Clock::time_point LeaseDeadlineTime() const { return deadline_.deadline(); }
  // The epoch of the term we lead or last saw (0: none yet).
  int64_t epoch() const { return epoch_.load(); }
  const std::string& leader_key() const { return leader_key_; }

  // Any thread: gives up the lead (stops acknowledging at once, deletes the key, revokes
  // the lease) and holds off campaigning for resign_holdoff. Does nothing when following.
  void Resign();
  // Ends the thread; resign=false leaves the key to expire with the lease, as a crash
  // would (tests). Idempotent. Not from the callback (it runs on the thread it joins).
  void Stop(bool resign = true);

 private:
  Election(std::unique_ptr<EtcdClient> client, ElectionOptions options, Callback on_change);
  void Run();
  void FollowOnce();
  void Campaign();
  // Announces our metadata, waits `delay` (at least the settle time), compares it with the
  // other candidates' (candidate_board.h) and campaigns unless one holds newer metadata.
  // False when it did not campaign (deferred, or stopping).
  bool CampaignIfNewest(std::chrono::milliseconds delay);
  void LeadOnce();
  void LoseLead(const std::string& why);
  void GiveUpLead();
  void Report(RoleChange change);
  void DropStaleLease();
  // Sleeps until `until` or until Stop()/Resign() wakes the thread.
  void WaitUntil(Clock::time_point until);
  bool Stopping() const { return stop_.load(); }
  void Warn(const Status& s, const char* doing);

  std::unique_ptr<EtcdClient> client_;
  ElectionOptions options_;
  Callback on_change_;
  std::string leader_key_;
  std::string my_value_;
  LeaseDeadline deadline_;
  std::atomic<int64_t> epoch_{0};

  // Election thread only.
  Role role_ = Role::kCandidate;
  RoleChange reported_;
  Lease lease_;              // held while leading
  int64_t stale_lease_ = 0;  // a lease of a term we lost, still to revoke
  int64_t key_mod_revision_ = 0;
  Clock::time_point next_renewal_;
  Clock::time_point holdoff_until_;
  std::string last_warning_;
  std::unique_ptr<CandidateBoard> board_;  // set with options_.held_metadata
  std::string last_deferral_;              // logged once per distinct better candidate

  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> resign_on_stop_{true};
  std::atomic<bool> resign_requested_{false};
  std::thread thread_;
};

// A callback that runs `cb` on `loop` (Post): the master reacts on its own thread. The
// loop must outlive the Election.
Election::Callback PostingTo(net::EventLoop& loop, Election::Callback cb);

// The leader key's value: {"node": id, "address": "HOST:PORT", "follow": "HOST:PORT"} as
// JSON ("follow" left out when empty); and back (an unreadable value or field gives empty
// fields, the key's epoch still counts; unknown fields are ignored, so values grow
// compatibly).
std::string LeaderValue(const std::string& node_id, const std::string& address,
                        const std::string& follow = {});
RoleChange FollowerOf(const KeyValue& kv);

}  // namespace elk::master::ha
