#include "chunkserver/storage/chunk_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "common/crc/crc32c.h"
#include "common/log/log.h"

namespace elk::chunkstore {
namespace {

bool Aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % kIoAlign == 0;
}

bool AllZero(std::span<const uint8_t> s) {
  return std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

ChunkFile::ChunkFile(Key, DiskIo& io, std::string dir, ChunkHeader header,
                     std::unique_ptr<DiskFile> file, uint64_t data_size)
    : io_(io),
      dir_(std::move(dir)),
      path_(ChunkPath(dir_, header.name)),
      header_(header),
      file_(std::move(file)),
      data_size_(data_size) {}

ChunkFile::~ChunkFile() {
  if (!file_) return;
  if (Status s = Flush(); !s.ok()) log::Error("chunk {}: header lost: {}", path_, s.ToString());
}

Result<std::unique_ptr<ChunkFile>> ChunkFile::Create(DiskIo& io, const std::string& dir,
                                                     ChunkName name) {
  ELK_RETURN_IF_ERROR(io.MakeDir(dir + "/" + ChunkSubfolder(name.id)));
  const std::string path = ChunkPath(dir, name);
  auto file = io.Open(path, OpenMode::kCreateNew);
  if (!file.ok()) return file.status();
  auto chunk =
      std::make_unique<ChunkFile>(Key(), io, dir, ChunkHeader::Fresh(name), std::move(*file), 0);
  // The master counts the copy once it is acknowledged: the header, then the name, on the
  // disk first, so a power loss never leaves a copy the master believes in missing or
  // headerless.
  Status s = chunk->WriteHeader();
  if (s.ok()) s = chunk->file_->Sync();
  if (s.ok()) s = io.SyncDir(dir + "/" + ChunkSubfolder(name.id));
  if (!s.ok()) {
    chunk->file_.reset();
    (void)io.Unlink(path);
    return s;
  }
  return chunk;
}

Result<std::unique_ptr<ChunkFile>> ChunkFile::Open(DiskIo& io, const std::string& dir,
                                                   ChunkName name) {
  const std::string path = ChunkPath(dir, name);
  auto file = io.Open(path, OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  auto size = (*file)->Size();
  if (!size.ok()) return size.status();
  if (*size < kHeaderSize || *size > kHeaderSize + kChunkSize) {
    return Status(Code::kCorruption, fmt::format("{}: impossible size {}", path, *size));
  }
  AlignedBuffer buf(kHeaderSize);
  auto n = (*file)->ReadAt(0, buf.span());
  if (!n.ok()) return n.status();
  auto header = DecodeHeader(std::span<const uint8_t, kHeaderSize>(buf.data(), kHeaderSize));
  if (!header.ok()) return Status(Code::kCorruption, path + ": " + header.status().message());
  if (header->name != name) {
    return Status(Code::kCorruption, fmt::format("{}: header says chunk {:016X} version {:08X}",
                                                 path, header->name.id, header->name.version));
  }
  return std::make_unique<ChunkFile>(Key(), io, dir, *header, std::move(*file),
                                     *size - kHeaderSize);
}

Status ChunkFile::CheckRange(uint64_t offset, uint64_t size) const {
  if (offset > kChunkSize) {
    return Status(Code::kWrongOffset, fmt::format("{}: offset {} past 64 MiB", path_, offset));
  }
  if (size > kChunkSize - offset) {
    return Status(Code::kWrongSize,
                  fmt::format("{}: {} bytes at {} pass 64 MiB", path_, size, offset));
  }
  return Status::Ok();
}

Status ChunkFile::WriteHeader() {
  AlignedBuffer buf(kHeaderSize);
  EncodeHeader(header_, std::span<uint8_t, kHeaderSize>(buf.data(), kHeaderSize));
  ELK_RETURN_IF_ERROR(file_->WriteAt(0, buf.span()));
  header_dirty_ = false;
  return Status::Ok();
}

Status ChunkFile::Flush() {
  return header_dirty_ ? WriteHeader() : Status::Ok();
}

Status ChunkFile::Sync() {
  ELK_RETURN_IF_ERROR(Flush());
  return file_->Sync();
}

Status ChunkFile::LoadBlock(uint32_t block, std::span<uint8_t> out) {
  size_t got = 0;
  if (block < StoredBlocks()) {
    auto n = file_->ReadAt(BlockOffset(block), out.first(kBlockSize));
    if (!n.ok()) return n.status();
    got = *n;
  }
  std::memset(out.data() + got, 0, kBlockSize - got);
  const uint32_t crc = crc::Crc32c(0, out.data(), kBlockSize);
  if (crc != header_.block_crc[block]) {
    return Status(Code::kCrc, fmt::format("{}: block {} CRC mismatch (stored {:08X}, data {:08X})",
                                          path_, block, header_.block_crc[block], crc));
  }
  return Status::Ok();
}

Status ChunkFile::StoreBlock(uint32_t block, std::span<const uint8_t> data, uint32_t crc) {
  const uint64_t old_size = data_size_;
  if (Status s = file_->WriteAt(BlockOffset(block), data); !s.ok()) {
    // A failed append must not leave a stub that the header does not describe.
    if (BlockOffset(block) - kHeaderSize >= old_size) (void)file_->Truncate(kHeaderSize + old_size);
    return s;
  }
  header_.block_crc[block] = crc;
  header_dirty_ = true;
  data_size_ = std::max(data_size_, uint64_t{block + 1} * kBlockSize);
  return Status::Ok();
}

// The block is read to check it and to sum the new CRC over all of it, but inside the
// stored data only the bytes that changed go back: a 4 KiB write into a block costs 4 KiB
// of page cache and write-back, not 64 (a VM disk's small random writes made sixteen
// times their size dirty). A block past the stored data is written whole, so the file
// never ends inside a block.
Status ChunkFile::WritePart(uint32_t block, uint32_t in_block, std::span<const uint8_t> data) {
  ELK_RETURN_IF_ERROR(LoadBlock(block, scratch_.span()));
  std::memcpy(scratch_.data() + in_block, data.data(), data.size());
  const uint32_t crc = crc::Crc32c(0, scratch_.data(), kBlockSize);
  if (block >= StoredBlocks()) return StoreBlock(block, scratch_.span(), crc);
  ELK_RETURN_IF_ERROR(file_->WriteAt(BlockOffset(block) + in_block,
                                     scratch_.span().subspan(in_block, data.size())));
  header_.block_crc[block] = crc;
  header_dirty_ = true;
  return Status::Ok();
}

Status ChunkFile::Write(uint64_t offset, std::span<const uint8_t> data,
                        std::optional<uint32_t> whole_block_crc) {
  ELK_RETURN_IF_ERROR(CheckRange(offset, data.size()));
  if (whole_block_crc && offset % kBlockSize == 0 && data.size() == kBlockSize) {
    const auto block = static_cast<uint32_t>(offset / kBlockSize);
    if (Aligned(data.data())) return StoreBlock(block, data, *whole_block_crc);
    std::memcpy(scratch_.data(), data.data(), kBlockSize);
    return StoreBlock(block, scratch_.span(), *whole_block_crc);
  }
  while (!data.empty()) {
    const auto block = static_cast<uint32_t>(offset / kBlockSize);
    const auto in_block = static_cast<uint32_t>(offset % kBlockSize);
    const size_t n = std::min<size_t>(kBlockSize - in_block, data.size());
    if (n == kBlockSize && Aligned(data.data())) {
      ELK_RETURN_IF_ERROR(StoreBlock(block, data.first(n), crc::Crc32c(0, data.data(), n)));
    } else if (n == kBlockSize) {
      std::memcpy(scratch_.data(), data.data(), n);
      ELK_RETURN_IF_ERROR(StoreBlock(block, scratch_.span(), crc::Crc32c(0, data.data(), n)));
    } else {
      ELK_RETURN_IF_ERROR(WritePart(block, in_block, data.first(n)));
    }
    offset += n;
    data = data.subspan(n);
  }
  return Status::Ok();
}

Result<uint32_t> ChunkFile::ReadBlock(uint32_t block, std::span<uint8_t> out) {
  if (block >= kBlocksPerChunk) return Status(Code::kBlockTooBig, fmt::format("block {}", block));
  if (out.size() < kBlockSize) return Status(Code::kWrongSize, "ReadBlock needs 64 KiB");
  if (Aligned(out.data())) {
    ELK_RETURN_IF_ERROR(LoadBlock(block, out));
  } else {
    ELK_RETURN_IF_ERROR(LoadBlock(block, scratch_.span()));
    std::memcpy(out.data(), scratch_.data(), kBlockSize);
  }
  return header_.block_crc[block];
}

Status ChunkFile::Read(uint64_t offset, std::span<uint8_t> out) {
  ELK_RETURN_IF_ERROR(CheckRange(offset, out.size()));
  while (!out.empty()) {
    const auto block = static_cast<uint32_t>(offset / kBlockSize);
    const auto in_block = static_cast<uint32_t>(offset % kBlockSize);
    const size_t n = std::min<size_t>(kBlockSize - in_block, out.size());
    if (n == kBlockSize && Aligned(out.data())) {
      ELK_RETURN_IF_ERROR(LoadBlock(block, out));
    } else {
      ELK_RETURN_IF_ERROR(LoadBlock(block, scratch_.span()));
      std::memcpy(out.data(), scratch_.data() + in_block, n);
    }
    offset += n;
    out = out.subspan(n);
  }
  return Status::Ok();
}

Status ChunkFile::SetVersion(uint32_t version) {
  const ChunkName old = header_.name;
  const std::string old_path = path_;
  header_.name.version = version;
  const std::string new_path = ChunkPath(dir_, header_.name);
  // Header first, synced: after a crash between the two steps the name and header
  // disagree, and Open refuses the file rather than serving it under a wrong version. The
  // folder is synced before the change is acknowledged, so a power loss cannot bring back
  // the old name of a copy the master has moved to the new version (it would then count
  // the copy as stale, and with every copy on a failed rack, the chunk as lost).
  Status s = WriteHeader();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = io_.Rename(old_path, new_path);
  if (!s.ok()) {
    header_.name = old;
    header_dirty_ = true;
    (void)Flush();
    return s;
  }
  path_ = new_path;
  // Renamed but perhaps not durably: the file is under its new name (name() says so) and
  // the error goes to the master, which then does not count this copy as current.
  return io_.SyncDir(dir_ + "/" + ChunkSubfolder(header_.name.id));
}

Status ChunkFile::Truncate(uint64_t length) {
  ELK_RETURN_IF_ERROR(CheckRange(length, 0));
  const auto keep = static_cast<uint32_t>((length + kBlockSize - 1) / kBlockSize);
  const auto tail = static_cast<uint32_t>(length % kBlockSize);
  if (tail != 0 && keep - 1 < StoredBlocks()) {
    ELK_RETURN_IF_ERROR(LoadBlock(keep - 1, scratch_.span()));
    std::memset(scratch_.data() + tail, 0, kBlockSize - tail);
    ELK_RETURN_IF_ERROR(
        StoreBlock(keep - 1, scratch_.span(), crc::Crc32c(0, scratch_.data(), kBlockSize)));
  }
  const uint64_t new_size = uint64_t{keep} * kBlockSize;
  ELK_RETURN_IF_ERROR(file_->Truncate(kHeaderSize + new_size));
  for (uint32_t b = keep; b < kBlocksPerChunk; ++b)
    header_.block_crc[b] = ZeroBlockCrc();
  data_size_ = new_size;
  header_dirty_ = true;
  return Flush();
}

Status ChunkFile::CopyBlocksTo(ChunkFile& dst, uint32_t blocks) {
  for (uint32_t b = 0; b < blocks; ++b) {
    ELK_RETURN_IF_ERROR(LoadBlock(b, scratch_.span()));
    // Zero blocks stay holes in the copy, as they were (or could have been) in the original.
    if (header_.block_crc[b] == ZeroBlockCrc() && AllZero(scratch_.span())) continue;
    ELK_RETURN_IF_ERROR(dst.StoreBlock(b, scratch_.span(), header_.block_crc[b]));
  }
  ELK_RETURN_IF_ERROR(dst.file_->Truncate(kHeaderSize + uint64_t{blocks} * kBlockSize));
  dst.data_size_ = uint64_t{blocks} * kBlockSize;
  dst.header_dirty_ = true;
  return dst.Flush();
}

Result<std::unique_ptr<ChunkFile>> ChunkFile::Duplicate(ChunkName to) {
  return DuplicateTruncate(to, data_size_);
}

Result<std::unique_ptr<ChunkFile>> ChunkFile::DuplicateTruncate(ChunkName to, uint64_t length) {
  ELK_RETURN_IF_ERROR(CheckRange(length, 0));
  auto copy = Create(io_, dir_, to);
  if (!copy.ok()) return copy.status();
  const auto want = static_cast<uint32_t>((length + kBlockSize - 1) / kBlockSize);
  Status s = CopyBlocksTo(**copy, std::min(want, StoredBlocks()));
  if (s.ok()) s = (*copy)->Truncate(length);
  if (s.ok()) s = (*copy)->Sync();  // acknowledged to the master as a copy: on the disk
  if (!s.ok()) {
    (void)(*copy)->Delete();
    return s;
  }
  return copy;
}

Status ChunkFile::Delete() {
  file_.reset();
  header_dirty_ = false;
  return io_.Unlink(path_);
}

Status ChunkFile::Verify() {
  for (uint32_t b = 0; b < StoredBlocks(); ++b)
    ELK_RETURN_IF_ERROR(LoadBlock(b, scratch_.span()));
  for (uint32_t b = StoredBlocks(); b < kBlocksPerChunk; ++b) {
    if (header_.block_crc[b] != ZeroBlockCrc()) {
      return Status(Code::kCrc, fmt::format("{}: block {} is absent but its CRC is {:08X}", path_,
                                            b, header_.block_crc[b]));
    }
  }
  return Status::Ok();
}

}  // namespace elk::chunkstore
