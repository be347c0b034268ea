#pragma once
// The geometry of a file, in one place for every program: a file is cut into chunks of
// kChunkSize (the unit of placement, copies and versions), a chunk into blocks of
// kBlockSize (the unit of a CRC, of a read from disk and of a write's summing).
// The largest file ElkFS holds, so the mount, libelkclient, the master and the volume
// target refuse the same offsets (EFBIG) instead of wrapping a chunk index.
// 2^57 bytes (128 PiB) is MooseFS's limit too: 2^31 chunks of 64 MiB, so every chunk
// index fits in 31 bits and `offset / chunk size` never truncates when narrowed.

#include <cstdint>

namespace elk {

inline constexpr uint64_t kChunkSize = uint64_t{64} << 20;  // 64 MiB
inline constexpr uint32_t kBlockSize = 64 * 1024;           // 64 KiB
inline constexpr uint32_t kBlocksPerChunk = static_cast<uint32_t>(kChunkSize / kBlockSize);
inline constexpr uint64_t kMaxFileLength = uint64_t{1} << 57;
inline constexpr uint64_t kMaxFileChunks = kMaxFileLength / kChunkSize;
inline constexpr uint32_t kMaxChunkIndex = static_cast<uint32_t>(kMaxFileChunks - 1);

// Whether bytes [offset, offset + size) lie within the maximum length (no overflow).
constexpr bool FitsInMaxLength(uint64_t offset, uint64_t size) {
  return offset <= kMaxFileLength && size <= kMaxFileLength - offset;
}

// The chunk holding byte `offset`; callers check FitsInMaxLength first, so it is at most
// kMaxChunkIndex and the narrowing cannot drop bits.
constexpr uint32_t ChunkIndexOf(uint64_t offset) {
  return static_cast<uint32_t>(offset / kChunkSize);
}

static_assert(kMaxChunkIndex == (1u << 31) - 1);

}  // namespace elk
