#pragma once
// A volume file as a block device for the iSCSI target, through libelkclient: reads go
// to a chunk copy directly, writes down the chunk's chain. No FUSE, no page cache.
//
// Writes to one chunk are serialised (the master grants one writer a chunk at a time)
// and keep the master's grant and one write session on its chain between them, so a
// stream of 4 KiB writes into one chunk costs one master round trip and one chain set-up
// (connections between the copies, the chunk opened on each), not one per write. A grant
// is ended when it has been idle for `grant_idle`, held for `grant_max` (so the master's
// lock never runs out under a busy writer), and on Flush.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "cinderdriver/iscsi/block_device.h"
#include "cinderdriver/volume/block_cache.h"
#include "mount/client/chunk_io.h"

namespace elk::volume {

struct GrantTimes {
  std::chrono::milliseconds idle{500};
  std::chrono::milliseconds max{5000};
};

class VolumeDevice : public iscsi::BlockDevice {
 public:
  // `cache` may be null (no read cache); it outlives the device.
  VolumeDevice(client::ChunkIo& io, uint32_t inode, uint64_t size, BlockCache* cache = nullptr,
               GrantTimes times = {});
  ~VolumeDevice() override;

  uint64_t size_bytes() const override { return size_.load(); }
  Status Read(uint64_t offset, std::span<uint8_t> out) override;
  Status Write(uint64_t offset, std::span<const uint8_t> data) override;
  Status Flush() override;
  bool TryReadCached(uint64_t offset, std::span<uint8_t> out) override;
  // Whole chunks in the range are dropped at the master (their space is freed); the
  // partial chunks at either end are written with zeros.
  Status Unmap(uint64_t offset, uint64_t length) override;
  bool can_unmap() const override { return thin_; }
  // A chunk is the unit of allocation: mapped if the file has it, deallocated if a hole.
  Result<Allocation> AllocationAt(uint64_t offset) override;
  // Off: the volume is offered fully provisioned (no UNMAP), see THIN_PROVISIONING.
  void set_thin(bool thin) { thin_ = thin; }

  uint32_t inode() const { return inode_; }
  void set_size(uint64_t size) { size_ = size; }
  // Ends grants past their time; called every few hundred ms by the target.
  void EndStaleGrants();

 private:
  using Clock = std::chrono::steady_clock;
  // A write waiting for its chunk. Writes that queue up while one batch is on the wire go
  // down the chain together in the next one (one round trip for all of them).
  struct Pending {
    client::ChunkIo::Piece piece;
    Status result;
    bool done = false;
  };
  struct Slot {
    std::mutex mu;  // held while writing and for grant changes
    std::optional<protocol::ChunkLocation> grant;
    std::unique_ptr<client::ChunkIo::ChainWriter> chain;  // on the grant's chain
    Clock::time_point granted{}, used{};
    std::mutex queue_mu;
    std::vector<Pending*> queue;
  };
  Slot& SlotFor(uint32_t index);
  Status WriteChunk(uint32_t index, uint32_t offset, std::span<const uint8_t> data);
  Status WriteBatch(Slot& slot, uint32_t index, std::span<const client::ChunkIo::Piece> pieces);
  // A batch reached every copy (or failed): the read cache follows.
  void KeepWritten(uint32_t index, std::span<const client::ChunkIo::Piece> pieces,
                   const Status& result);
  void EndGrant(Slot& slot);  // slot.mu held
  Status WriteZeros(uint64_t offset, uint64_t length);
  Status ReadThrough(uint64_t offset, std::span<uint8_t> out);
  Status ReadCached(uint64_t offset, std::span<uint8_t> out);

  client::ChunkIo& io_;
  const uint32_t inode_;
  std::atomic<uint64_t> size_;
  BlockCache* cache_;
  bool thin_ = true;
  GrantTimes times_;
  std::mutex slots_mu_;
  std::map<uint32_t, std::unique_ptr<Slot>> slots_;
};

}  // namespace elk::volume
