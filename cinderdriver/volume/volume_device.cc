#include "cinderdriver/volume/volume_device.h"

#include <cstring>
#include <thread>

#include "common/log/log.h"

namespace elk::volume {

namespace {
constexpr int kAttempts = 10;
}

VolumeDevice::VolumeDevice(client::ChunkIo& io, uint32_t inode, uint64_t size, BlockCache* cache,
                           GrantTimes times)
    : io_(io), inode_(inode), size_(size), cache_(cache), times_(times) {}

VolumeDevice::~VolumeDevice() {
  (void)Flush();
}

Status VolumeDevice::ReadThrough(uint64_t offset, std::span<uint8_t> out) {
  auto got = io_.Read(inode_, offset, static_cast<uint32_t>(out.size()));
  if (!got.ok()) return got.status();
  std::memcpy(out.data(), got->data(), got->size());
  // Beyond the file's length (a volume extended while we read) reads as zeros.
  if (got->size() < out.size()) std::memset(out.data() + got->size(), 0, out.size() - got->size());
  return Status::Ok();
}

Status VolumeDevice::Read(uint64_t offset, std::span<uint8_t> out) {
  if (cache_ == nullptr || out.empty()) return ReadThrough(offset, out);
  return ReadCached(offset, out);
}

bool VolumeDevice::TryReadCached(uint64_t offset, std::span<uint8_t> out) {
  if (cache_ == nullptr || out.empty()) return false;
  constexpr uint64_t kB = BlockCache::kBlock;
  for (uint64_t pos = offset; pos < offset + out.size();) {
    const uint64_t b = pos / kB;
    const auto from = static_cast<uint32_t>(pos - b * kB);
    const auto len =
        static_cast<uint32_t>(std::min<uint64_t>(kB - from, offset + out.size() - pos));
    if (!cache_->Get(inode_, b, from, len, out.data() + (pos - offset))) return false;
    pos += len;
  }
  return true;
}

// Block by block from the cache, copying only the bytes asked for; each run of missing
// blocks is read whole (64 KiB aligned) in one call and kept.
Status VolumeDevice::ReadCached(uint64_t offset, std::span<uint8_t> out) {
  constexpr uint64_t kB = BlockCache::kBlock;
  const uint64_t first = offset / kB, last = (offset + out.size() - 1) / kB;
  // The part of block b that the request covers: [from, to) in volume bytes.
  auto from_of = [&](uint64_t b) { return std::max(offset, b * kB); };
  auto to_of = [&](uint64_t b) { return std::min(offset + out.size(), (b + 1) * kB); };
  auto hit = [&](uint64_t b) {
    const uint64_t from = from_of(b);
    return cache_->Get(inode_, b, static_cast<uint32_t>(from - b * kB),
                       static_cast<uint32_t>(to_of(b) - from), out.data() + (from - offset));
  };
  for (uint64_t b = first; b <= last;) {
    if (hit(b)) {
      ++b;
      continue;
    }
    uint64_t end = b + 1;  // the run of misses [b, end); block `end`, if any, was a hit
    while (end <= last && !hit(end))
      ++end;
    const uint64_t epoch = cache_->Epoch(inode_);
    std::vector<uint8_t> run((end - b) * kB);
    ELK_RETURN_IF_ERROR(ReadThrough(b * kB, run));
    const uint64_t size = size_.load();
    for (uint64_t i = b; i < end; ++i) {
      const uint64_t from = from_of(i);
      std::memcpy(out.data() + (from - offset), run.data() + (from - b * kB), to_of(i) - from);
      if ((i + 1) * kB <= size)
        cache_->Put(inode_, i, std::span<const uint8_t>(run).subspan((i - b) * kB, kB), epoch);
    }
    b = end + 1;
  }
  return Status::Ok();
}

VolumeDevice::Slot& VolumeDevice::SlotFor(uint32_t index) {
  std::lock_guard lock(slots_mu_);
  auto& s = slots_[index];
  if (!s) s = std::make_unique<Slot>();
  return *s;
}

void VolumeDevice::EndGrant(Slot& slot) {
  slot.chain.reset();  // the chunkservers hear the end before the master does
  if (!slot.grant) return;
  Status s = io_.EndGrant(inode_, *slot.grant, 0);
  if (!s.ok())
    log::Warning("volume inode {}: ending the write of chunk {:016X}: {}", inode_,
                 slot.grant->chunkid, s.ToString());
  slot.grant.reset();
}

Status VolumeDevice::WriteChunk(uint32_t index, uint32_t offset, std::span<const uint8_t> data) {
  Slot& slot = SlotFor(index);
  Pending me{{offset, data}, {}, false};
  {
    std::lock_guard q(slot.queue_mu);
    slot.queue.push_back(&me);
  }
  std::lock_guard io(slot.mu);
  std::vector<Pending*> batch;
  {
    std::lock_guard q(slot.queue_mu);
    if (me.done) return me.result;  // a writer before us took it in its batch
    batch.swap(slot.queue);         // `me` is among these
  }
  std::vector<client::ChunkIo::Piece> pieces;
  for (const Pending* p : batch)
    pieces.push_back(p->piece);
  Status s = WriteBatch(slot, index, pieces);
  if (cache_ != nullptr) KeepWritten(index, pieces, s);  // slot.mu held: in chunk order
  std::lock_guard q(slot.queue_mu);
  for (Pending* p : batch) {
    p->result = s;
    p->done = true;
  }
  return s;
}

void VolumeDevice::KeepWritten(uint32_t index, std::span<const client::ChunkIo::Piece> pieces,
                               const Status& result) {
  const uint64_t base = uint64_t{index} * elk::kChunkSize;
  for (const auto& p : pieces) {
    const uint64_t pos = base + p.offset;
    if (result.ok())
      cache_->Written(inode_, pos, p.data);
    else  // some copies may have it, some not: read it again from one
      cache_->Invalidate(inode_, pos / BlockCache::kBlock,
                         (pos + p.data.size() - 1) / BlockCache::kBlock);
  }
}

Status VolumeDevice::WriteBatch(Slot& slot, uint32_t index,
                                std::span<const client::ChunkIo::Piece> pieces) {
  if (slot.grant && Clock::now() - slot.granted >= times_.max) EndGrant(slot);
  Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (!slot.grant) {
      auto g = io_.BeginGrant(inode_, index);
      if (!g.ok()) {
        last = g.status();
        if (!client::ChunkIo::Transient(last.code())) return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50 << attempt, 1000)));
        continue;
      }
      slot.grant = *g;
      slot.granted = Clock::now();
    }
    if (!slot.chain) {
      auto w = io_.OpenChain(inode_, index, *slot.grant);
      if (w.ok()) slot.chain = std::move(*w);
      last = w.status();
    }
    if (slot.chain) last = slot.chain->Write(pieces);
    slot.used = Clock::now();
    if (last.ok()) return last;
    // The chain broke (a chunkserver died): end this grant so the master drops the
    // failed copy, and write again on a fresh chain.
    log::Warning("volume inode {}: write of chunk {} failed (attempt {}): {}", inode_, index,
                 attempt + 1, last.ToString());
    EndGrant(slot);
    if (!client::ChunkIo::Transient(last.code())) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50 << attempt, 1000)));
  }
  return last;
}

Status VolumeDevice::Write(uint64_t offset, std::span<const uint8_t> data) {
  // A volume is a file: no block of it lies past the maximum file length.
  if (!FitsInMaxLength(offset, data.size())) return Status(Code::kTooBig);
  size_t done = 0;
  while (done < data.size()) {
    const uint64_t pos = offset + done;
    const uint32_t index = ChunkIndexOf(pos);
    const auto in_chunk = static_cast<uint32_t>(pos % elk::kChunkSize);
    const auto n =
        static_cast<size_t>(std::min<uint64_t>(data.size() - done, elk::kChunkSize - in_chunk));
    ELK_RETURN_IF_ERROR(WriteChunk(index, in_chunk, data.subspan(done, n)));
    done += n;
  }
  return Status::Ok();
}

Status VolumeDevice::WriteZeros(uint64_t offset, uint64_t length) {
  static const std::vector<uint8_t> zeros(1 << 20, 0);
  for (uint64_t done = 0; done < length;) {
    const uint64_t n = std::min<uint64_t>(length - done, zeros.size());
    ELK_RETURN_IF_ERROR(Write(offset + done, std::span<const uint8_t>(zeros).first(n)));
    done += n;
  }
  return Status::Ok();
}

Result<iscsi::BlockDevice::Allocation> VolumeDevice::AllocationAt(uint64_t offset) {
  if (offset >= kMaxFileLength) return Status(Code::kIndexTooBig);
  const uint64_t index = ChunkIndexOf(offset);
  auto has = io_.HasChunk(inode_, static_cast<uint32_t>(index));
  if (!has.ok()) return has.status();
  return Allocation{.mapped = *has,
                    .end = std::min((index + 1) * elk::kChunkSize, size_bytes())};
}

Status VolumeDevice::Unmap(uint64_t offset, uint64_t length) {
  if (!FitsInMaxLength(offset, length)) return Status(Code::kTooBig);
  const uint64_t end = offset + length;
  const uint64_t first = (offset + elk::kChunkSize - 1) / elk::kChunkSize;
  const uint64_t last = end / elk::kChunkSize;  // chunks [first, last) are whole
  if (first >= last) return WriteZeros(offset, length);
  {
    // No write of ours may hold a grant on a chunk while the master drops it.
    std::vector<std::unique_lock<std::mutex>> held;
    for (uint64_t i = first; i < last; ++i) {
      Slot& slot = SlotFor(static_cast<uint32_t>(i));
      held.emplace_back(slot.mu);
      EndGrant(slot);
    }
    Status s =
        io_.PunchChunks(inode_, static_cast<uint32_t>(first), static_cast<uint32_t>(last - first));
    if (cache_ != nullptr)
      cache_->Invalidate(inode_, first * elk::kChunkSize / BlockCache::kBlock,
                         last * elk::kChunkSize / BlockCache::kBlock - 1);
    ELK_RETURN_IF_ERROR(s);
  }
  ELK_RETURN_IF_ERROR(WriteZeros(offset, first * elk::kChunkSize - offset));
  return WriteZeros(last * elk::kChunkSize, end - last * elk::kChunkSize);
}

Status VolumeDevice::Flush() {
  // Every write already waited for all copies; ending the grants records them with the
  // master, so a restarted target or another reader sees the chunks' current versions.
  std::vector<Slot*> all;
  {
    std::lock_guard lock(slots_mu_);
    for (auto& [i, s] : slots_)
      all.push_back(s.get());
  }
  for (Slot* s : all) {
    std::lock_guard lock(s->mu);
    EndGrant(*s);
  }
  // ... and every chunk written since the last flush is synced on each copy's disk: what
  // SYNCHRONIZE CACHE and a FUA write promise the initiator.
  return io_.Sync(inode_);
}

void VolumeDevice::EndStaleGrants() {
  std::vector<Slot*> all;
  {
    std::lock_guard lock(slots_mu_);
    for (auto& [i, s] : slots_)
      all.push_back(s.get());
  }
  const auto now = Clock::now();
  for (Slot* s : all) {
    std::unique_lock lock(s->mu, std::try_to_lock);
    if (!lock.owns_lock() || !s->grant) continue;
    if (now - s->used >= times_.idle || now - s->granted >= times_.max) EndGrant(*s);
  }
}

}  // namespace elk::volume
