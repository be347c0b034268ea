#pragma once
// One connection to the data service: a client, a chunkserver up a write chain, or a
// chunkserver replicating from us. See client_service.h. Loop thread only.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "chunkserver/server/client_service.h"
#include "chunkserver/storage/chunk_format.h"
#include "common/net/connection.h"
#include "common/net/connector.h"
#include "common/protocol/records.h"

namespace elk::chunkserver {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(const ServiceContext& ctx, std::function<void(Session*)> on_gone);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Takes the accepted socket, sends our hello.
  // `slot`: its place under the port's connection caps, held while it is open.
  Status Open(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot = {});

 private:
  // A read being answered: the rest of [offset, offset + size) still to send.
  struct ReadJob {
    bool replication = false;  // CSTOCS_* rather than CSTOCL_* frames
    chunkstore::ChunkName name;
    uint64_t offset = 0;
    uint64_t left = 0;
  };
  // A write id in flight: done when the local write and the rest of the chain are.
  struct PendingWrite {
    bool local_done = false;
    bool down_done = false;
    Status local;
    Status down;
    protocol::ServerAddr down_server;  // which server down the chain failed
  };
  // The write this connection carries (between WRITE_INIT and WRITE_END).
  struct Write {
    uint64_t gen = 0;  // tells this write's callbacks from a later write's
    chunkstore::ChunkName name;
    std::vector<protocol::ServerAddr> chain;  // after us; empty at the end of the chain
    net::Address next_addr;
    std::shared_ptr<net::Connection> next;
    std::shared_ptr<net::PendingConnect> connecting;
    // WRITE_DATA and WRITE_SYNC frames (type, payload) that came before next connected.
    std::vector<std::pair<uint32_t, std::vector<uint8_t>>> backlog;
    bool local_ok = false;     // the chunk is here with that version
    bool local_known = false;  // ... checked
    bool next_ok = false;      // the next server acknowledged the init
    bool init_answered = false;
    bool end_requested = false;
    Status chain_error;                       // the chain broke: every later write fails with this
    protocol::ServerAddr chain_error_server;  // ... naming this server (0:0 = us)
    std::map<uint32_t, PendingWrite> pending;
  };

  Status OnFrame(const protocol::FrameView& frame);
  void OnClose();

  // reads
  Status QueueRead(bool replication, uint64_t chunkid, uint32_t version, uint64_t offset,
                   uint64_t size);
  void PumpReads();
  void ReadDone(Status status, std::vector<std::vector<uint8_t>> frames, uint64_t len);
  void SendReadStatus(const ReadJob& job, Status status);
  Status GetChunkBlocks(const protocol::FrameView& frame);
  Status GetChecksums(const protocol::FrameView& frame);  // mfsfileinfo -c

  // writes
  Status WriteInit(const protocol::FrameView& frame);
  Status WriteData(const protocol::FrameView& frame);
  Status WriteSync(const protocol::FrameView& frame);
  // Checks a WRITE_DATA or WRITE_SYNC against the write in progress; when it may go on,
  // registers its write id and passes the frame down the chain. False: already answered.
  bool AdmitWrite(uint64_t chunkid, uint32_t write_id, const protocol::FrameView& frame);
  Status WriteEnd(const protocol::FrameView& frame);
  void ConnectNext();
  void NextConnected(uint64_t gen, Result<net::UniqueFd> fd);
  Status OnNextFrame(uint64_t gen, const protocol::FrameView& frame);
  void OnNextClosed(uint64_t gen, const Status& why);
  bool Current(uint64_t gen) const { return write_ && write_->gen == gen; }
  void BreakChain(Status why, protocol::ServerAddr failed);
  // The next server's address, for errors it caused.
  protocol::ServerAddr NextServer() const;
  void MaybeAnswerInit();
  void LocalWriteDone(uint32_t write_id, Status status);
  void MaybeAck(uint32_t write_id);
  void FinishWrite();
  // CSTOCL_WRITE_STATUS when ok, else CSTOCL_WRITE_ERROR naming `failed` (0:0 = us).
  void SendWriteStatus(uint64_t chunkid, uint32_t write_id, const Status& status,
                       protocol::ServerAddr failed = {});

  // Stops reading the peer while too much of its work is in flight (see session.cc).
  void UpdateHold();

  std::weak_ptr<void> Alive() { return weak_from_this(); }

  const ServiceContext& ctx_;
  std::function<void(Session*)> on_gone_;
  std::shared_ptr<net::Connection> conn_;
  bool hello_ = false;

  std::deque<ReadJob> reads_;
  bool reading_ = false;

  std::optional<Write> write_;
  uint64_t write_gen_ = 0;
  bool next_hello_ = false;
};

}  // namespace elk::chunkserver
