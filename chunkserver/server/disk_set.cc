#include "chunkserver/server/disk_set.h"

#include <algorithm>

#include "common/log/log.h"

namespace elk::chunkserver {

using chunkstore::ChunkName;
using chunkstore::ChunkStore;

DiskSet::DiskSet(chunkstore::DiskIo& io, uint64_t leave_space)
    : io_(io), leave_space_(leave_space) {}

void DiskSet::set_leave_space(uint64_t bytes) {
  std::lock_guard lock(mu_);
  leave_space_ = bytes;
}

static std::shared_ptr<Disk> OpenDisk(chunkstore::DiskIo& io, const cfg::HddEntry& e,
                                      uint64_t leave_space) {
  chunkstore::ChunkStoreOptions options;
  options.dir = e.path;
  options.leave_space = leave_space;
  if (e.limit_kind == cfg::HddEntry::Limit::kLeaveFree) options.leave_space = e.limit_bytes;
  if (e.limit_kind == cfg::HddEntry::Limit::kMaxUse) options.max_use = e.limit_bytes;
  auto store = ChunkStore::Open(io, options);
  if (!store.ok()) {
    log::Error("{}: cannot use this disk: {}", e.path, store.status().ToString());
    return nullptr;
  }
  auto disk = std::make_shared<Disk>();
  disk->path = e.path;
  disk->marked_for_removal = e.marked_for_removal;
  disk->move_out = e.move_out;
  disk->store = std::move(*store);
  return disk;
}

Status DiskSet::Apply(const std::vector<cfg::HddEntry>& entries, bool require_one) {
  std::vector<std::shared_ptr<Disk>> next;
  std::vector<std::shared_ptr<Disk>> old;
  uint64_t leave;
  {
    std::lock_guard lock(mu_);
    old = disks_;
    leave = leave_space_;
  }
  for (const cfg::HddEntry& e : entries) {
    auto it =
        std::find_if(old.begin(), old.end(), [&](const auto& d) { return d->path == e.path; });
    if (it != old.end()) {
      if ((*it)->marked_for_removal != e.marked_for_removal) {
        log::Notice("{}: {}", e.path, e.marked_for_removal ? "marked for removal" : "unmarked");
      }
      (*it)->marked_for_removal = e.marked_for_removal;
      (*it)->move_out = e.move_out;
      next.push_back(*it);
      old.erase(it);
      continue;
    }
    if (auto disk = OpenDisk(io_, e, leave)) {
      log::Info("{}: disk added{}", e.path, e.marked_for_removal ? " (marked for removal)" : "");
      next.push_back(std::move(disk));
    }
  }
  std::lock_guard lock(mu_);
  for (const auto& gone : old) {
    log::Notice("{}: no longer in mfshdd.cfg, its chunks are given up", gone->path);
    if (gone->lost_reported) continue;
    for (const auto& info : gone->store->Chunks())
      dropped_lost_.push_back(info.name.id);
  }
  disks_ = std::move(next);
  const bool any =
      std::any_of(disks_.begin(), disks_.end(), [](const auto& d) { return !d->store->damaged(); });
  if (require_one && !any) return Status(Code::kInval, "no usable disk in mfshdd.cfg");
  return Status::Ok();
}

std::shared_ptr<Disk> DiskSet::Locate(uint64_t id) const {
  std::lock_guard lock(mu_);
  for (const auto& d : disks_) {
    if (d->store->Find(id)) return d;
  }
  return nullptr;
}

std::shared_ptr<Disk> DiskSet::PickForNew() const {
  std::lock_guard lock(mu_);
  std::shared_ptr<Disk> best;
  uint64_t best_usable = 0;
  for (const auto& d : disks_) {
    if (d->marked_for_removal || d->move_out || d->store->damaged()) continue;
    auto space = d->store->Space();
    if (space.ok() && space->read_only) continue;
    const uint64_t usable = space.ok() ? space->usable : 0;
    if (!best || usable > best_usable) {
      best = d;
      best_usable = usable;
    }
  }
  return best;
}

std::vector<std::shared_ptr<Disk>> DiskSet::Disks() const {
  std::lock_guard lock(mu_);
  return disks_;
}

std::vector<ChunkName> DiskSet::Chunks() const {
  std::vector<ChunkName> out;
  for (const auto& d : Disks()) {
    if (d->store->damaged()) continue;
    for (const auto& info : d->store->Chunks())
      out.push_back(info.name);
  }
  return out;
}

std::set<uint64_t> DiskSet::MarkedChunkIds() const {
  std::set<uint64_t> out;
  for (const auto& d : Disks()) {
    if (!d->marked_for_removal || d->store->damaged()) continue;
    for (const auto& info : d->store->Chunks())
      out.insert(info.name.id);
  }
  return out;
}

SpaceSummary DiskSet::Space() const {
  SpaceSummary s;
  for (const auto& d : Disks()) {
    if (d->store->damaged()) continue;
    auto space = d->store->Space();
    if (!space.ok()) continue;
    const uint64_t used = space->total - std::min(space->total, space->available);
    const auto chunks = static_cast<uint32_t>(d->store->chunk_count());
    if (d->marked_for_removal) {
      s.removal_used += used;
      s.removal_total += space->total;
      s.removal_chunks += chunks;
    } else {
      s.used += used;
      s.total += space->total;
      s.chunks += chunks;
    }
  }
  return s;
}

std::vector<protocol::DiskReport> DiskSet::Reports(std::optional<uint64_t> scrub_position) const {
  std::vector<protocol::DiskReport> out;
  for (const auto& d : Disks()) {
    protocol::DiskReport r;
    r.path = d->path;
    const chunkstore::DiskErrorNote error = d->store->last_error();
    r.errors = error.count;
    r.last_error = error.text;
    r.last_error_time = error.time;
    r.chunk_count = static_cast<uint32_t>(d->store->chunk_count());
    if (d->store->damaged()) {
      r.state = protocol::DiskState::kDamaged;
    } else {
      auto space = d->store->Space();
      if (space.ok()) {
        r.total_space = space->total;
        r.used_space = space->total - std::min(space->total, space->available);
      }
      if (d->marked_for_removal) {
        r.state = protocol::DiskState::kMarkedForRemoval;
      } else if (space.ok() && space->read_only) {
        r.state = protocol::DiskState::kReadOnly;
      }
    }
    r.bytes_read = d->bytes_read.load(std::memory_order_relaxed);
    r.bytes_written = d->bytes_written.load(std::memory_order_relaxed);
    if (scrub_position) {
      r.scrub_on = true;
      r.scrub_total = r.chunk_count;
      r.scrub_done = static_cast<uint32_t>(
          std::min<size_t>(d->store->CountBelow(*scrub_position), r.chunk_count));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<uint64_t> DiskSet::TakeLost() {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> lost = std::move(dropped_lost_);
  dropped_lost_.clear();
  for (const auto& d : disks_) {
    if (d->lost_reported || !d->store->damaged()) continue;
    d->lost_reported = true;
    for (const ChunkName& n : d->store->LostChunks())
      lost.push_back(n.id);
  }
  return lost;
}

size_t DiskSet::size() const {
  std::lock_guard lock(mu_);
  return disks_.size();
}

}  // namespace elk::chunkserver
