#pragma once
// The chunkserver side of the master (port 9420): one ChunkserverLink per connected
// chunkserver, all of them owned by a ChunkserverHub.
//
// A link: both sides send ANTOAN_HELLO; the master sends ANTOAN_AUTH_CHALLENGE and the
// chunkserver must answer it (PeerAuth: AUTH_CODE) before anything else; then CSTOMA_REGISTER (->
// RegisterServer), CSTOMA_REGISTER_CHUNKS batches (-> ServerReportsChunks), CSTOMA_REGISTER_DONE
// (answered MATOCS_REGISTER with the server id). After that: CSTOMA_SPACE heartbeats (->
// UpdateServer), CSTOMA_DISKS (kept here, for the monitor, until the link closes; their byte
// counters and the replication answers are added to the hub's ChunkserverTotals), damaged/lost
// reports, and the answers to the commands the master sends (-> the registry's *Done, then
// ChunkserverEvents::OnChunkReply so a waiting client write can go on). A disconnect ->
// ServerDisconnected and OnServerGone.
//
// Nothing here touches Metadata: the hub needs only the registry, so it is tested alone.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/net/address.h"
#include "common/net/connection.h"
#include "common/net/event_loop.h"
#include "common/net/unique_fd.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/frame.h"
#include "common/status.h"
#include "master/chunks/registry.h"
#include "master/server/peer_auth.h"
#include "master/server/role.h"

namespace elk::master {

using NowFn = std::function<uint32_t()>;

// What the rest of the master hears from chunkservers.
class ChunkserverEvents {
 public:
  virtual ~ChunkserverEvents() = default;
  // The answer to a MATOCS_* command (type: the CSTOMA_* id), after the registry was told.
  virtual void OnChunkReply(ServerId server, uint32_t type, ChunkId chunk, bool ok) = 0;
  // The server's connection closed; commands sent to it will not be answered.
  virtual void OnServerGone(ServerId server) = 0;
};

// Running totals over every chunkserver link since the master started, for the monitor's
// rates. They only grow: a chunkserver's own counters restart with it, so each link adds
// what its counters moved by (CounterDelta), never the counters themselves.
struct ChunkserverTotals {
  uint64_t bytes_read = 0;     // chunk data read from disks (clients, replication sources)
  uint64_t bytes_written = 0;  // chunk data written to disks (clients, replicated copies)
  uint64_t replications = 0;   // chunk copies made by the replication loop
  uint64_t deletions = 0;      // copies the replication loop deleted (over goal, stale, unused)
};

// What the disks' byte counters moved by between two CSTOMA_DISKS of one link, disks matched
// by path. A disk new to the report (added by a reload) counts from zero; a counter that went
// down (the disk was dropped and added again) counts as restarted, never as a negative move.
void AddDiskIo(const std::vector<protocol::DiskReport>& before,
               const std::vector<protocol::DiskReport>& after, ChunkserverTotals& totals);

struct ChunkserverLinkOptions {
  std::chrono::milliseconds timeout{10000};    // MATOCS_TIMEOUT: silence that drops a server
  std::chrono::milliseconds hello_timeout{0};  // HELLO_TIMEOUT; 0: none
  std::string version = "elkfs";
  std::string auth_code;  // AUTH_CODE; empty: none asked
  // After a chunkserver's hello: a follower sends it to the leader (ANTOAN_NOT_LEADER).
  NotLeaderFn not_leader;
  // The master's epoch, sent in MATOCS_REGISTER (chunkservers fence older ones); empty: 0.
  std::function<uint64_t()> epoch;
};

class ChunkserverLink {
 public:
  ChunkserverLink(ChunkRegistry& registry, ChunkserverEvents& events, NowFn now,
                  ChunkserverTotals& totals);
  ~ChunkserverLink();

  Status Start(net::EventLoop& loop, net::UniqueFd fd, net::Address peer,
               const ChunkserverLinkOptions& options, std::function<void()> on_close,
               std::shared_ptr<void> slot = {});
  void Close();

  ServerId id() const { return id_; }
  bool registered() const { return registered_; }
  const net::Address& peer() const { return peer_; }
  const std::string& software_version() const { return software_version_; }  // from its hello
  // Its disks as it last reported them (CSTOMA_DISKS); empty from a server that never sent
  // one. Gone with the link, so a disconnected server shows no disks.
  const std::vector<protocol::DiskReport>& disks() const { return disks_; }

  // Commands; each is answered by the CSTOMA_* message of the same name.
  Status SendCreate(ChunkId chunk, uint32_t version);
  Status SendDelete(ChunkId chunk, uint32_t version);
  Status SendSetVersion(ChunkId chunk, uint32_t version, uint32_t old_version);
  Status SendDuplicate(ChunkId new_chunk, uint32_t new_version, ChunkId old_chunk,
                       uint32_t old_version);
  Status SendTruncate(ChunkId chunk, uint32_t length, uint32_t version, uint32_t old_version);
  Status SendDuplicateTruncate(ChunkId new_chunk, uint32_t new_version, ChunkId old_chunk,
                               uint32_t old_version, uint32_t length);
  Status SendReplicate(ChunkId chunk, uint32_t version, const std::vector<ServerAddress>& sources);

 private:
  Status OnFrame(const protocol::FrameView& frame);
  Status OnHello(const protocol::FrameView& frame);
  // Logs why, tells the peer and closes; nothing it sends after is read.
  Status Refuse(const Status& why);
  Status OnRegister(const protocol::FrameView& frame);
  Status OnChunks(const protocol::FrameView& frame);
  Status OnRegisterDone();
  // One line each for the unknown and the too-new copies of its registration.
  void LogUntrusted(const ChunkServer& s) const;
  Status OnSpace(const protocol::FrameView& frame);
  Status OnTrouble(const protocol::FrameView& frame);
  Status OnDisks(const protocol::FrameView& frame);
  Status OnCommandReply(const protocol::FrameView& frame);
  void OnClosed();
  template <typename M>
  Status SendMsg(const M& msg);

  ChunkRegistry& registry_;
  ChunkserverEvents& events_;
  NowFn now_;
  std::shared_ptr<net::Connection> conn_;
  net::Address peer_;
  std::function<void()> on_close_;
  bool hello_ = false;
  bool refused_ = false;
  std::function<uint64_t()> epoch_;
  NotLeaderFn not_leader_;
  PeerAuth auth_{""};
  bool registered_ = false;
  ServerId id_ = kNoServer;
  uint64_t chunks_reported_ = 0;
  std::string software_version_;
  std::vector<protocol::DiskReport> disks_;
  bool disks_reported_ = false;
  ChunkserverTotals& totals_;
};

// Every chunkserver link: accepts, looks up by id, forgets closed ones.
class ChunkserverHub {
 public:
  ChunkserverHub(net::EventLoop& loop, ChunkRegistry& registry, ChunkserverEvents& events,
                 NowFn now, ChunkserverLinkOptions options);
  ~ChunkserverHub();

  // `slot`: the connection's place under the port's caps (net::ConnectionLimiter).
  void Accept(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot = {});
  // The registered link of a server, or nullptr.
  ChunkserverLink* Find(ServerId id);
  size_t size() const { return links_.size(); }
  void CloseAll();
  const ChunkserverTotals& totals() const { return totals_; }

 private:
  net::EventLoop& loop_;
  ChunkRegistry& registry_;
  ChunkserverEvents& events_;
  NowFn now_;
  ChunkserverLinkOptions options_;
  ChunkserverTotals totals_;
  std::map<ChunkserverLink*, std::unique_ptr<ChunkserverLink>> links_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace elk::master
