#pragma once
// A client's write-chunk request, between the metadata step and the reply: the master
// tells every server of the chain to create the chunk (a new chunk), duplicate it
// (copy-on-write after a snapshot) or set its new version, waits for all their answers
// (or a time-out, or their disconnection), and answers the client with the servers that
// succeeded, in chain order. When none did, the chunk is unlocked and the client gets an
// error (kNoChunkServers for a new chunk, kChunkLost otherwise).
//
// Independent of Metadata: it takes the plan as plain values, so it is tested alone.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "common/net/event_loop.h"
#include "common/protocol/records.h"
#include "common/status.h"
#include "master/chunks/registry.h"
#include "master/server/chunkserver_link.h"

namespace elk::master {

// What the metadata step decided (Metadata::ChunkWrite, as plain values).
struct ChunkWriteOrder {
  ChunkId chunk = 0;
  uint32_t version = 0;
  uint32_t old_version = 0;
  ChunkId duplicated_from = 0;    // non-zero: duplicate this chunk into `chunk`
  bool created = false;           // a new chunk: create it
  std::vector<Location> servers;  // the chain, first server first
  uint32_t session = 0;           // the writer (unlocked on total failure)
  uint64_t file_length = 0;
  // A file shrinking into this chunk: the servers cut it to this many bytes (truncate, or
  // duplicate-and-truncate when shared) with the new version, instead of only bumping it.
  std::optional<uint32_t> truncate_to;
};

class ChunkWrites : public ChunkserverEvents {
 public:
  using Done = std::function<void(Result<protocol::ChunkLocation>)>;

  ChunkWrites(net::EventLoop& loop, ChunkRegistry& registry, std::chrono::milliseconds timeout);
  ~ChunkWrites() override;
  // The hub is made after this object (it reports to it), so it is set afterwards.
  void set_hub(ChunkserverHub* hub) { hub_ = hub; }

  // Sends the commands; done runs once, from a later loop turn (never inside Start).
  void Start(ChunkWriteOrder order, Done done);
  size_t in_flight() const { return jobs_.size(); }

  void OnChunkReply(ServerId server, uint32_t type, ChunkId chunk, bool ok) override;
  void OnServerGone(ServerId server) override;

 private:
  struct Job {
    ChunkWriteOrder order;
    Done done;
    uint32_t reply_type = 0;
    std::vector<int> state;  // per server: 0 waiting, 1 ok, -1 failed
    size_t waiting = 0;
    net::TimerId timer = net::kNoTimer;
  };
  using Key = std::tuple<ChunkId, ServerId, uint32_t>;  // chunk, server, CSTOMA_* reply type

  static uint32_t ReplyType(const ChunkWriteOrder& o);
  Status SendCommand(const ChunkWriteOrder& o, ChunkserverLink& link);
  void FailAtOnce(Job& job, size_t i);
  void Answer(uint64_t id, size_t i, bool ok);
  void MaybeFinish(uint64_t id);
  void Finish(uint64_t id);

  net::EventLoop& loop_;
  ChunkRegistry& registry_;
  ChunkserverHub* hub_ = nullptr;
  std::chrono::milliseconds timeout_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Job> jobs_;
  std::map<Key, std::pair<uint64_t, size_t>> waiting_;  // -> job id, index in its chain
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace elk::master
