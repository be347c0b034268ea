#pragma once
// One chunkserver: its disks, I/O threads, the data service (port 9422), the master link
// (port 9420) and the background scrub. Embeddable: build it on any EventLoop with a
// ServerConfig (ports 0 allowed) - tests run several in one process; mfschunkserver runs
// one. Create, use and destroy it on the loop thread.
//
//   auto cs = ChunkServer::Create(loop, config);
//   uint16_t port = (*cs)->port();

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "chunkserver/server/client_service.h"
#include "chunkserver/server/config.h"
#include "chunkserver/server/disk_set.h"
#include "chunkserver/server/io_pool.h"
#include "chunkserver/server/master_link.h"
#include "common/net/event_loop.h"

namespace elk::chunkserver {

class ChunkServer {
 public:
  // Opens the disks (at least one must work), starts the I/O threads, listens, and starts
  // connecting to the master.
  static Result<std::unique_ptr<ChunkServer>> Create(net::EventLoop& loop, ServerConfig config);
  ~ChunkServer();
  ChunkServer(const ChunkServer&) = delete;
  ChunkServer& operator=(const ChunkServer&) = delete;

  // Applies a re-read configuration: new disks are added, `*` marks applied, dropped disks'
  // chunks reported lost (done in the background: new disks are scanned off the loop); the
  // reserve and scrub period change. Addresses do not (restart).
  Status Reload(const ServerConfig& config);

  uint16_t port() const { return service_->address().port; }
  net::Address address() const { return service_->address(); }
  DiskSet& disks() { return *disks_; }
  const MasterLink* master() const { return master_.get(); }
  // Tests one chunk now, as the scrub timer does.
  void ScrubOne();
  // Chunks the scrub has tested so far.
  uint64_t scrubbed() const { return scrubbed_; }
  // The disks as last measured (what the master is sent); RefreshDisks() measures again.
  const std::vector<protocol::DiskReport>& disk_reports() const { return disk_reports_; }
  void RefreshDisks() { RefreshSpace(); }

 private:
  ChunkServer(net::EventLoop& loop, ServerConfig config);
  Status Start();
  Status OnCommand(const protocol::FrameView& frame);
  void OnIoStatus(uint64_t chunkid, const Status& status);
  void ReportLostChunks();
  void ScheduleScrub();
  void RefreshSpace();
  std::optional<uint64_t> ScrubPosition() const;
  template <typename Reply, typename Work>
  void Execute(uint64_t chunkid, uint64_t reply_chunkid, Work work);

  net::EventLoop& loop_;
  ServerConfig config_;
  std::unique_ptr<chunkstore::DiskIo> own_io_;
  std::unique_ptr<DiskSet> disks_;
  std::unique_ptr<IoPool> io_;
  std::unique_ptr<IoPool> replication_;
  std::unique_ptr<ClientService> service_;
  std::unique_ptr<MasterLink> master_;
  net::TimerId scrub_timer_ = net::kNoTimer;
  net::TimerId space_timer_ = net::kNoTimer;
  // Space and disks as last measured on an I/O thread (statvfs and the disk mutexes stay off
  // the loop).
  SpaceSummary space_;
  std::vector<protocol::DiskReport> disk_reports_;
  bool space_refreshing_ = false;
  uint64_t scrub_next_ = 0;  // the scrub walks chunk ids upwards from here
  bool scrubbing_ = false;
  uint64_t scrubbed_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace elk::chunkserver
