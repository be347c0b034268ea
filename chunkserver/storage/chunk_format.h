#pragma once
// The chunk file format (docs/chunk-file.md): an 8 KiB header, then up to 1024 blocks of
// 64 KiB. This file holds the constants, the file name rules and the header codec.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/file_limits.h"
#include "common/status.h"

namespace elk::chunkstore {

// Alignment of every buffer and offset handed to the disk, so O_DIRECT can be used.
inline constexpr size_t kIoAlign = 4096;
inline constexpr size_t kHeaderSize = 2 * kIoAlign;  // block data starts O_DIRECT-aligned
inline constexpr std::string_view kSignature = "ELKC 1.0";

struct ChunkName {
  uint64_t id = 0;
  uint32_t version = 0;
  bool operator==(const ChunkName&) const = default;
};

// "chunk_00000000000000AB_00000001.mfs"
std::string ChunkFileName(ChunkName name);
// The subfolder a chunk lives in: its id's low byte, "AB".
std::string ChunkSubfolder(uint64_t id);
// "<dir>/AB/chunk_00000000000000AB_00000001.mfs"
std::string ChunkPath(const std::string& dir, ChunkName name);
// Parses a file name made by ChunkFileName (exact form, upper-case hex); nullopt otherwise.
std::optional<ChunkName> ParseChunkFileName(std::string_view file_name);

// The decoded header: identity and the CRC32C of each 64 KiB block. A block never written
// has the CRC of 64 KiB of zeros.
struct ChunkHeader {
  ChunkName name;
  std::array<uint32_t, kBlocksPerChunk> block_crc{};

  static ChunkHeader Fresh(ChunkName name);
};

// The CRC32C of a block of zeros: the CRC of every block that was never written.
uint32_t ZeroBlockCrc();

// Writes the header's kHeaderSize bytes, with its own CRC, into `out`.
void EncodeHeader(const ChunkHeader& header, std::span<uint8_t, kHeaderSize> out);
// Decodes and checks signature and header CRC; kCorruption says what is wrong.
Result<ChunkHeader> DecodeHeader(std::span<const uint8_t, kHeaderSize> in);

}  // namespace elk::chunkstore
