#pragma once
// One chunk file on one disk: a header (identity + a CRC32C per 64 KiB block) and the
// blocks. Every read verifies the CRC of each block it touches; every write keeps the CRCs
// right. The header is held in memory and written back by Flush() (and by every operation
// that changes identity or length, and on destruction), so a stream of block writes costs
// one header write, as in MooseFS. Not thread-safe: one user at a time.
//
// Block data lies in the file at O_DIRECT-aligned offsets and whole blocks are always
// written, from kIoAlign-aligned buffers.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chunkserver/storage/aligned_buffer.h"
#include "chunkserver/storage/chunk_format.h"
#include "chunkserver/storage/disk_io.h"
#include "common/status.h"

namespace elk::chunkstore {

class ChunkFile {
 public:
  // A new, empty chunk file under dir/XX/, synced with its folder entry; kExist if the file
  // is there already.
  static Result<std::unique_ptr<ChunkFile>> Create(DiskIo& io, const std::string& dir,
                                                   ChunkName name);
  // An existing chunk file; kCorruption when its header is damaged or does not match its name.
  static Result<std::unique_ptr<ChunkFile>> Open(DiskIo& io, const std::string& dir,
                                                 ChunkName name);
  ~ChunkFile();
  ChunkFile(const ChunkFile&) = delete;
  ChunkFile& operator=(const ChunkFile&) = delete;

  ChunkName name() const { return header_.name; }
  const std::string& path() const { return path_; }
  // Bytes of block data in the file: a multiple of the block size unless a write was torn.
  uint64_t data_size() const { return data_size_; }
  uint32_t BlockCrc(uint32_t block) const { return header_.block_crc.at(block); }
  // The CRC of each stored block, from the header (mfsfileinfo -c: no data read).
  std::vector<uint32_t> StoredBlockCrcs() const {
    return {header_.block_crc.begin(), header_.block_crc.begin() + StoredBlocks()};
  }

  // Reads [offset, offset + out.size()) of the chunk; bytes never written read as zeros.
  // kCrc naming the block when a stored block fails its CRC.
  Status Read(uint64_t offset, std::span<uint8_t> out);
  // Reads one whole block, verified, and returns its stored CRC (to forward to a client).
  Result<uint32_t> ReadBlock(uint32_t block, std::span<uint8_t> out);
  // Writes data at offset. Partial blocks are read (and verified) first, then rewritten.
  // `whole_block_crc`, when data is exactly one block at a block boundary, is its CRC as the
  // caller already verified it: the block is not summed again.
  Status Write(uint64_t offset, std::span<const uint8_t> data,
               std::optional<uint32_t> whole_block_crc = std::nullopt);
  // Writes the header if it changed since it was last written.
  Status Flush();
  // Flush, then fdatasync: every write so far and the header with their CRCs on the disk.
  Status Sync();

  // Changes the version, which renames the file: header written and synced, rename, folder
  // synced. An error after the rename leaves the file under its new name (see name()).
  Status SetVersion(uint32_t version);
  // Sets the length: drops whole blocks past it and zeros the tail of the last one.
  Status Truncate(uint64_t length);
  // A verified copy of this chunk under another id/version in the same folder tree, synced.
  Result<std::unique_ptr<ChunkFile>> Duplicate(ChunkName to);
  // As Duplicate, then Truncate(length) on the copy; blocks past length are not copied.
  Result<std::unique_ptr<ChunkFile>> DuplicateTruncate(ChunkName to, uint64_t length);
  // Removes the file. The object must not be used afterwards.
  Status Delete();
  // Re-reads every block and checks its CRC (the scrub); kCrc names the first bad block.
  Status Verify();

 private:
  // Lets Create/Open use make_unique while keeping the constructor theirs alone.
  struct Key {
    explicit Key() = default;
  };

 public:
  ChunkFile(Key, DiskIo& io, std::string dir, ChunkHeader header, std::unique_ptr<DiskFile> file,
            uint64_t data_size);

 private:
  static uint64_t BlockOffset(uint32_t block) { return kHeaderSize + uint64_t{block} * kBlockSize; }
  uint32_t StoredBlocks() const {
    return static_cast<uint32_t>((data_size_ + kBlockSize - 1) / kBlockSize);
  }
  Status CheckRange(uint64_t offset, uint64_t size) const;
  Status WriteHeader();
  // Reads a block into `out` (kBlockSize, zero-filled past the end) and checks its CRC.
  Status LoadBlock(uint32_t block, std::span<uint8_t> out);
  // Writes a whole block whose CRC is `crc`, and records it.
  Status StoreBlock(uint32_t block, std::span<const uint8_t> data, uint32_t crc);
  Status WritePart(uint32_t block, uint32_t in_block, std::span<const uint8_t> data);
  Status CopyBlocksTo(ChunkFile& dst, uint32_t blocks);

  DiskIo& io_;
  std::string dir_;
  std::string path_;
  ChunkHeader header_;
  std::unique_ptr<DiskFile> file_;
  uint64_t data_size_;
  bool header_dirty_ = false;
  AlignedBuffer scratch_{kBlockSize};
};

}  // namespace elk::chunkstore
