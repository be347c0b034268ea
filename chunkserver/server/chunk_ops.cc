#include "chunkserver/server/chunk_ops.h"

#include <fmt/format.h>

#include "common/crc/crc32c.h"
#include "common/log/log.h"
#include "common/net/blocking_client.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/cstocs.h"
#include "common/protocol/hello.h"

namespace elk::chunkserver {

using elk::kBlockSize;
using elk::kChunkSize;

namespace {

Status NoChunk(uint64_t id) {
  return Status(Code::kNoChunk, fmt::format("chunk {:016X}", id));
}

// The store holding chunk `id`, or kNoChunk.
Result<std::shared_ptr<Disk>> Holder(DiskSet& disks, uint64_t id) {
  auto disk = disks.Locate(id);
  if (!disk) return NoChunk(id);
  return disk;
}

}  // namespace

Status CreateChunk(DiskSet& disks, ChunkName name) {
  if (disks.Locate(name.id))
    return Status(Code::kChunkExists, fmt::format("chunk {:016X}", name.id));
  auto disk = disks.PickForNew();
  if (!disk) return Status(Code::kNoSpace, "no usable disk");
  return disk->store->Create(name);
}

Status DeleteChunk(DiskSet& disks, ChunkName name) {
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->Delete(name);
}

Status SetChunkVersion(DiskSet& disks, ChunkName name, uint32_t new_version) {
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->SetVersion(name, new_version);
}

Status TruncateChunk(DiskSet& disks, ChunkName name, uint64_t length, uint32_t new_version) {
  if (length > kChunkSize) return Status(Code::kWrongSize, fmt::format("length {}", length));
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  ELK_RETURN_IF_ERROR((*disk)->store->Truncate(name, length));
  // A new version syncs the file as it renames it; otherwise sync here, before the master
  // is told the length changed.
  if (new_version == name.version) return (*disk)->store->Sync(name);
  return (*disk)->store->SetVersion(name, new_version);
}

Status DuplicateChunk(DiskSet& disks, ChunkName from, ChunkName to) {
  if (disks.Locate(to.id)) return Status(Code::kChunkExists, fmt::format("chunk {:016X}", to.id));
  auto disk = Holder(disks, from.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->Duplicate(from, to);
}

Status DuplicateTruncateChunk(DiskSet& disks, ChunkName from, ChunkName to, uint64_t length) {
  if (length > kChunkSize) return Status(Code::kWrongSize, fmt::format("length {}", length));
  if (disks.Locate(to.id)) return Status(Code::kChunkExists, fmt::format("chunk {:016X}", to.id));
  auto disk = Holder(disks, from.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->DuplicateTruncate(from, to, length);
}

Status CheckReadRange(uint64_t offset, uint64_t size) {
  if (offset > kChunkSize || size > kChunkSize - offset) {
    return Status(Code::kWrongOffset,
                  fmt::format("read of {} bytes at {} leaves the chunk", size, offset));
  }
  return Status::Ok();
}

template <typename M>
Status ReadPieces(DiskSet& disks, ChunkName name, uint64_t offset, uint64_t size,
                  std::vector<std::vector<uint8_t>>& frames) {
  ELK_RETURN_IF_ERROR(CheckReadRange(offset, size));
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  Disk& holder = **disk;
  chunkstore::ChunkStore& store = *holder.store;
  std::vector<uint8_t> buf(kBlockSize);
  const uint64_t end = offset + size;
  while (offset < end) {
    const auto block = static_cast<uint32_t>(offset / kBlockSize);
    const auto in_block = static_cast<uint32_t>(offset % kBlockSize);
    const auto len = static_cast<uint32_t>(std::min<uint64_t>(kBlockSize - in_block, end - offset));
    M piece{.chunkid = name.id,
            .block = static_cast<uint16_t>(block),
            .offset = static_cast<uint16_t>(in_block)};
    if (len == kBlockSize) {
      auto crc = store.ReadBlock(name, block, buf);
      if (!crc.ok()) return crc.status();
      piece.crc = *crc;
    } else {
      std::span<uint8_t> part(buf.data(), len);
      ELK_RETURN_IF_ERROR(store.Read(name, offset, part));
      piece.crc = crc::Crc32c(part);
    }
    piece.data = protocol::Bytes(buf.data(), len);
    auto frame = protocol::EncodeFrame(piece);
    if (!frame.ok()) return frame.status();
    frames.push_back(std::move(*frame));
    holder.CountRead(len);
    offset += len;
  }
  return Status::Ok();
}

template Status ReadPieces<protocol::CstoclReadData>(DiskSet&, ChunkName, uint64_t, uint64_t,
                                                     std::vector<std::vector<uint8_t>>&);
template Status ReadPieces<protocol::CstocsReadData>(DiskSet&, ChunkName, uint64_t, uint64_t,
                                                     std::vector<std::vector<uint8_t>>&);

Result<uint16_t> ChunkBlocks(DiskSet& disks, ChunkName name) {
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  auto info = (*disk)->store->Find(name.id);
  if (!info) return NoChunk(name.id);
  if (info->name.version != name.version) {
    return Status(Code::kWrongVersion, fmt::format("chunk {:016X}: have {:08X}, asked {:08X}",
                                                   name.id, info->name.version, name.version));
  }
  return static_cast<uint16_t>((info->size + kBlockSize - 1) / kBlockSize);
}

Result<std::vector<uint32_t>> ChunkBlockCrcs(DiskSet& disks, ChunkName name) {
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->BlockCrcs(name);
}

Status WriteChunkData(DiskSet& disks, ChunkName name, uint32_t block, uint32_t offset, uint32_t crc,
                      std::span<const uint8_t> data) {
  if (block >= elk::kBlocksPerChunk) {
    return Status(Code::kBlockTooBig, fmt::format("block {}", block));
  }
  if (offset > kBlockSize || data.size() > kBlockSize - offset) {
    return Status(Code::kWrongSize,
                  fmt::format("{} bytes at {} leave the block", data.size(), offset));
  }
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  ELK_RETURN_IF_ERROR(
      (*disk)->store->Write(name, uint64_t{block} * kBlockSize + offset, data, crc));
  (*disk)->CountWritten(data.size());
  return Status::Ok();
}

Status SyncChunk(DiskSet& disks, ChunkName name) {
  auto disk = Holder(disks, name.id);
  if (!disk.ok()) return disk.status();
  return (*disk)->store->Sync(name);
}

Status CloseChunk(DiskSet& disks, uint64_t id, bool sync) {
  auto disk = disks.Locate(id);
  if (!disk) return Status::Ok();
  return disk->store->Close(id, sync);
}

namespace {

template <typename M>
Result<M> ReceiveMsg(net::BlockingClient& c, std::chrono::milliseconds timeout,
                     std::vector<uint8_t>& keep) {
  auto frame = c.Receive(timeout);
  if (!frame.ok()) return frame.status();
  keep = std::move(frame->payload);
  return protocol::Decode<M>(protocol::FrameView{frame->type, keep});
}

// Copies the chunk from one source onto `disk` (the chunk is already created there).
Status FetchFrom(Disk& disk, ChunkName name, const net::Address& source,
                 const ReplicateOptions& o) {
  chunkstore::ChunkStore& store = *disk.store;
  auto client = net::BlockingClient::Connect(source, o.timeout);
  if (!client.ok()) return Status(Code::kCantConnect, client.status().ToString());
  ELK_RETURN_IF_ERROR(
      SendMsg(*client, protocol::MakeHello(protocol::Role::kChunkserver, "elkfs"), o.timeout));
  std::vector<uint8_t> keep;
  auto hello = ReceiveMsg<protocol::AntoanHello>(*client, o.timeout, keep);
  if (!hello.ok()) return hello.status();
  ELK_RETURN_IF_ERROR(protocol::CheckHello(*hello, {protocol::Role::kChunkserver}));
  ELK_RETURN_IF_ERROR(
      SendMsg(*client, protocol::CstocsGetChunkBlocks{.chunkid = name.id, .version = name.version},
              o.timeout));
  auto blocks = ReceiveMsg<protocol::CstocsChunkBlocks>(*client, o.timeout, keep);
  if (!blocks.ok()) return blocks.status();
  if (blocks->status != Code::kOk) return Status(blocks->status, "source refused");
  const uint64_t size = uint64_t{blocks->blocks} * kBlockSize;
  ELK_RETURN_IF_ERROR(SendMsg(*client,
                              protocol::CstocsRead{.chunkid = name.id,
                                                   .version = name.version,
                                                   .offset = 0,
                                                   .size = static_cast<uint32_t>(size)},
                              o.timeout));
  for (;;) {
    auto frame = client->Receive(o.timeout);
    if (!frame.ok()) return frame.status();
    protocol::FrameView view{frame->type, frame->payload};
    if (frame->type == protocol::CSTOCS_READ_STATUS) {
      auto st = protocol::Decode<protocol::CstocsReadStatus>(view);
      if (!st.ok()) return st.status();
      return st->status == Code::kOk ? Status::Ok() : Status(st->status, "source read failed");
    }
    auto piece = protocol::Decode<protocol::CstocsReadData>(view);
    if (!piece.ok()) return piece.status();
    if (crc::Crc32c(piece->data) != piece->crc) {
      return Status(Code::kCrc,
                    fmt::format("block {} from {} fails its CRC", piece->block, source));
    }
    if (uint32_t{piece->offset} + piece->data.size() > kBlockSize)
      return Status(Code::kProtocol, "piece leaves its block");
    ELK_RETURN_IF_ERROR(
        store.Write(name, uint64_t{piece->block} * kBlockSize + piece->offset, piece->data));
    disk.CountWritten(piece->data.size());
  }
}

}  // namespace

Status ReplicateChunk(DiskSet& disks, ChunkName name,
                      const std::vector<protocol::ServerAddr>& sources,
                      const ReplicateOptions& options) {
  if (auto have = disks.Locate(name.id)) {
    auto info = have->store->Find(name.id);
    if (info && info->name.version == name.version)
      return Status(Code::kChunkExists, "already here");
    if (info) ELK_RETURN_IF_ERROR(have->store->Delete(info->name));
  }
  auto disk = disks.PickForNew();
  if (!disk) return Status(Code::kNoSpace, "no usable disk");
  Status last(Code::kCantConnect, "no sources");
  for (const protocol::ServerAddr& src : sources) {
    ELK_RETURN_IF_ERROR(disk->store->Create(name));
    last = FetchFrom(*disk, name, net::Address{src.ip, src.port}, options);
    if (last.ok()) last = disk->store->Close(name.id);
    if (last.ok()) return last;
    log::Warning("replication of chunk {:016X}_{:08X} from {} failed: {}", name.id, name.version,
                 net::Address{src.ip, src.port}, last.ToString());
    (void)disk->store->Delete(name);
  }
  return last;
}

}  // namespace elk::chunkserver
