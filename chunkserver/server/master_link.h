#pragma once
// The chunkserver's connection to the master (port 9420): connect, hello, answer the
// master's AUTH_CODE challenge (common/auth/auth_code.h), register (our
// listen address, space, then the chunk list in batches, then done), a space heartbeat,
// and reconnection with back-off when the master goes away. Master commands (MATOCS_*)
// are handed to the owner; replies and reports go out through Send()/Report*().
//
// Damaged-chunk reports made while disconnected are kept and sent after the next
// registration, so none is lost. Loop thread only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "chunkserver/server/config.h"
#include "chunkserver/server/disk_set.h"
#include "chunkserver/server/send.h"
#include "common/net/connection.h"
#include "common/net/connector.h"
#include "common/net/event_loop.h"
#include "common/protocol/matocs.h"
#include "common/net/master_addresses.h"

namespace elk::chunkserver {

class MasterLink {
 public:
  struct Callbacks {
    // The chunk list and the space, gathered at registration (loop thread).
    std::function<std::vector<chunkstore::ChunkName>()> chunks;
    std::function<std::set<uint64_t>()> marked_chunks;  // of those, on disks marked `*`
    std::function<SpaceSummary()> space;
    // Each disk, for the master's monitor (CSTOMA_DISKS); may be empty (not sent then).
    std::function<std::vector<protocol::DiskReport>()> disks;
    // A MATOCS_* command other than MATOCS_REGISTER. Non-ok closes the link.
    std::function<Status(const protocol::FrameView&)> on_command;
  };

  // `listen` is the address clients reach us on (its ip may be "any").
  MasterLink(net::EventLoop& loop, const ServerConfig& config, net::Address listen,
             Callbacks callbacks);
  ~MasterLink();
  MasterLink(const MasterLink&) = delete;
  MasterLink& operator=(const MasterLink&) = delete;

  void Start();

  // Queues a message to the master; dropped (with Ok) when not registered.
  template <protocol::Message M>
  Status Send(const M& msg) {
    if (!registered()) return Status::Ok();
    return SendMsg(*conn_, msg);
  }
  void ReportDamaged(const std::vector<uint64_t>& ids);
  // The chunk was deleted: stop re-reporting it as damaged.
  void ForgetDamaged(uint64_t id) { damaged_.erase(id); }
  void ReportLost(std::vector<uint64_t> ids);
  // Sends a heartbeat now (tests).
  void SendSpace(const SpaceSummary& space);
  // Sends the disks when they differ from what the master last got (or always: `force`).
  void SendDisks(bool force);

  bool registered() const { return conn_ && state_ == State::kRegistered; }
  uint32_t server_id() const { return server_id_; }
  uint64_t connects() const { return connects_; }
  // The highest master epoch seen (registration, or a follower naming its leader's term).
  uint64_t highest_epoch() const { return highest_epoch_; }

 private:
  enum class State { kIdle, kConnecting, kHello, kAuth, kRegistering, kRegistered };

  void Connect();
  void OnConnected(Result<net::UniqueFd> fd, net::Address master);
  Status OnFrame(const protocol::FrameView& frame);
  void OnClose(const Status& why);
  void RetryLater();
  // The next master of the round at once, or (the round over) a new round after the delay.
  void TryNextMaster();
  Status OnChallenge(const protocol::FrameView& frame);
  Status Register();
  void FlushReports();
  Status OnRegistered(const protocol::MatocsRegister& reply);

  net::EventLoop& loop_;
  ServerConfig config_;
  net::Address listen_;
  Callbacks callbacks_;
  State state_ = State::kIdle;
  std::shared_ptr<net::Connection> conn_;
  std::shared_ptr<net::PendingConnect> pending_;
  net::TimerId retry_timer_ = net::kNoTimer;
  net::TimerId heartbeat_timer_ = net::kNoTimer;
  std::chrono::milliseconds delay_;
  uint32_t server_id_ = 0;
  uint64_t connects_ = 0;
  // Fencing: a master registering us with a lower epoch is an old leader that has not
  // noticed its term ended; it is refused. In memory only (a restart forgets it).
  uint64_t highest_epoch_ = 0;
  // MASTER_HOST's masters and the round being tried; a follower's "the leader is" is
  // tried next (ANTOAN_NOT_LEADER). `trying_` is the one being connected to.
  net::MasterAddresses masters_;
  net::MasterTarget trying_;
  bool redirected_ = false;     // the last close came with a redirect: wait the delay first
  std::set<uint64_t> damaged_;  // damaged chunks still here: re-sent after each registration
  std::vector<uint64_t> unsent_lost_;
  std::vector<protocol::DiskReport> disks_sent_;  // what the master has, since registration
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace elk::chunkserver
