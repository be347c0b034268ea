#include "chunkserver/storage/chunk_format.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "common/crc/crc32c.h"

namespace elk::chunkstore {
namespace {

// Header layout (little-endian): signature[8] id:u64 version:u32 header_crc:u32, zeros to
// 4 KiB, then block_crc:u32[1024]. header_crc covers all 8 KiB with itself taken as zero.
constexpr size_t kIdOffset = 8;
constexpr size_t kVersionOffset = 16;
constexpr size_t kHeaderCrcOffset = 20;
constexpr size_t kCrcTableOffset = kIoAlign;

void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t Get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

uint32_t HeaderCrc(std::span<const uint8_t, kHeaderSize> h) {
  static constexpr uint8_t kZero[4] = {};
  uint32_t crc = crc::Crc32c(0, h.data(), kHeaderCrcOffset);
  crc = crc::Crc32c(crc, kZero, sizeof kZero);
  return crc::Crc32c(crc, h.data() + kHeaderCrcOffset + 4, kHeaderSize - kHeaderCrcOffset - 4);
}

template <typename T>
bool ParseHex(std::string_view s, T& out) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string ChunkFileName(ChunkName name) {
  return fmt::format("chunk_{:016X}_{:08X}.mfs", name.id, name.version);
}

std::string ChunkSubfolder(uint64_t id) {
  return fmt::format("{:02X}", id & 0xFF);
}

std::string ChunkPath(const std::string& dir, ChunkName name) {
  return fmt::format("{}/{}/{}", dir, ChunkSubfolder(name.id), ChunkFileName(name));
}

std::optional<ChunkName> ParseChunkFileName(std::string_view f) {
  // chunk_ + 16 hex + _ + 8 hex + .mfs
  constexpr size_t kLen = 6 + 16 + 1 + 8 + 4;
  if (f.size() != kLen || !f.starts_with("chunk_") || f[22] != '_' || !f.ends_with(".mfs")) {
    return std::nullopt;
  }
  ChunkName name;
  if (!ParseHex(f.substr(6, 16), name.id) || !ParseHex(f.substr(23, 8), name.version)) {
    return std::nullopt;
  }
  return name;
}

uint32_t ZeroBlockCrc() {
  static const uint32_t crc = crc::Crc32cZeros(kBlockSize);
  return crc;
}

ChunkHeader ChunkHeader::Fresh(ChunkName name) {
  ChunkHeader h;
  h.name = name;
  h.block_crc.fill(ZeroBlockCrc());
  return h;
}

void EncodeHeader(const ChunkHeader& header, std::span<uint8_t, kHeaderSize> out) {
  std::memset(out.data(), 0, out.size());
  std::memcpy(out.data(), kSignature.data(), kSignature.size());
  Put64(out.data() + kIdOffset, header.name.id);
  Put32(out.data() + kVersionOffset, header.name.version);
  for (size_t i = 0; i < kBlocksPerChunk; ++i) {
    Put32(out.data() + kCrcTableOffset + 4 * i, header.block_crc[i]);
  }
  Put32(out.data() + kHeaderCrcOffset, HeaderCrc(out));
}

Result<ChunkHeader> DecodeHeader(std::span<const uint8_t, kHeaderSize> in) {
  if (std::memcmp(in.data(), kSignature.data(), kSignature.size()) != 0) {
    return Status(Code::kCorruption, "bad signature");
  }
  const uint32_t stored = Get32(in.data() + kHeaderCrcOffset);
  const uint32_t actual = HeaderCrc(in);
  if (stored != actual) {
    return Status(
        Code::kCorruption,
        fmt::format("header CRC mismatch (stored {:08X}, computed {:08X})", stored, actual));
  }
  ChunkHeader h;
  h.name.id = Get64(in.data() + kIdOffset);
  h.name.version = Get32(in.data() + kVersionOffset);
  for (size_t i = 0; i < kBlocksPerChunk; ++i) {
    h.block_crc[i] = Get32(in.data() + kCrcTableOffset + 4 * i);
  }
  return h;
}

}  // namespace elk::chunkstore
