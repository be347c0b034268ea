#pragma once
// What a chunkserver stores for one chunk of a file, as mfsdirinfo's "size" counts it (the
// master's dirinfo request and the tool's own walk use the same rule, MooseFS's): every
// chunk before the last holds a whole 64 MiB; the last holds the file's tail rounded up to
// whole 64 KiB blocks; each has its 8 KiB header (MooseFS 3's figures agree:
// testdata/tools_demo_session.txt). A chunk past the end (left by a truncate) holds nothing
// that counts. An empty file's one chunk, if any, is just its header.

#include <cstdint>

#include "common/file_limits.h"

namespace elk {

inline constexpr uint64_t kChunkHeaderBytes = uint64_t{8} << 10;

constexpr uint64_t ChunkStoredBytes(uint64_t file_length, uint64_t chunk_index) {
  const uint64_t last = file_length == 0 ? 0 : (file_length - 1) / kChunkSize;
  if (chunk_index < last) return kChunkSize + kChunkHeaderBytes;
  if (chunk_index > last) return 0;
  const uint64_t tail = file_length - last * kChunkSize;  // 1..64 MiB, or 0 when empty
  const uint64_t blocks = (tail + kBlockSize - 1) / kBlockSize;
  return blocks * kBlockSize + kChunkHeaderBytes;
}

// A file whose every chunk up to its length exists (no holes): the tool's estimate when it
// cannot ask the master which chunks a file has.
constexpr uint64_t DenseFileStoredBytes(uint64_t file_length) {
  if (file_length == 0) return 0;  // no chunk at all
  const uint64_t chunks = (file_length + kChunkSize - 1) / kChunkSize;
  return (chunks - 1) * (kChunkSize + kChunkHeaderBytes) +
         ChunkStoredBytes(file_length, chunks - 1);
}

// MooseFS 3 on 150000000 + 6 + 70000000 bytes in 6 chunks: size 220184576.
static_assert(DenseFileStoredBytes(150000000) + DenseFileStoredBytes(6) +
                  DenseFileStoredBytes(70000000) ==
              220184576);
static_assert(ChunkStoredBytes(0, 0) == kChunkHeaderBytes);
static_assert(ChunkStoredBytes(kChunkSize, 1) == 0);
static_assert(ChunkStoredBytes(kChunkSize + 1, 1) == kBlockSize + kChunkHeaderBytes);

}  // namespace elk
