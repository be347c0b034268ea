#pragma once
// The largest file ElkFS holds, in one place, so the mount, libelkclient, the master and
// the volume target refuse the same offsets (EFBIG) instead of wrapping a chunk index.
// 2^57 bytes (128 PiB) is MooseFS's limit too: 2^31 chunks of 64 MiB, so every chunk
// index fits in 31 bits and `offset / chunk size` never truncates when narrowed.

#include <cstdint>

namespace elk {

inline constexpr uint64_t kFileChunkBytes = uint64_t{64} << 20;
inline constexpr uint64_t kMaxFileLength = uint64_t{1} << 57;
inline constexpr uint64_t kMaxFileChunks = kMaxFileLength / kFileChunkBytes;
inline constexpr uint32_t kMaxChunkIndex = static_cast<uint32_t>(kMaxFileChunks - 1);

// Whether bytes [offset, offset + size) lie within the maximum length (no overflow).
constexpr bool FitsInMaxLength(uint64_t offset, uint64_t size) {
  return offset <= kMaxFileLength && size <= kMaxFileLength - offset;
}

// The chunk holding byte `offset`; callers check FitsInMaxLength first, so it is at most
// kMaxChunkIndex and the narrowing cannot drop bits.
constexpr uint32_t ChunkIndexOf(uint64_t offset) {
  return static_cast<uint32_t>(offset / kFileChunkBytes);
}

static_assert(kMaxChunkIndex == (1u << 31) - 1);

}  // namespace elk
