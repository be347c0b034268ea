#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every chunk block,
// changelog record and metadata image section. Uses the SSE4.2 crc32 instruction when the
// CPU has it, a slicing table otherwise.

#include <cstddef>
#include <cstdint>
#include <span>

namespace elk::crc {

// Extends `crc` (0 to start) over `len` bytes. Crc32c(0, "123456789", 9) == 0xE3069283.
uint32_t Crc32c(uint32_t crc, const void* data, size_t len);
inline uint32_t Crc32c(std::span<const uint8_t> bytes) {
  return Crc32c(0, bytes.data(), bytes.size());
}

// The CRC of A followed by B, from crc(A), crc(B) and B's length - for a block CRC rebuilt
// from a partial write without re-reading the whole block.
uint32_t Crc32cCombine(uint32_t crc_a, uint32_t crc_b, size_t len_b);

// The CRC of `len` zero bytes (a fresh or sparse block), cheaper than hashing them.
uint32_t Crc32cZeros(size_t len);

// Extends `crc` over `len` zero bytes without touching memory (a block's zero-filled tail).
uint32_t Crc32cExtendZeros(uint32_t crc, size_t len);

// True when the hardware path is in use (the benchmark prints which).
bool HardwareAccelerated();
// Forces the portable table path (tests compare both paths).
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t len);

}  // namespace elk::crc
