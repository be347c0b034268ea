#pragma once
// Pieces shared by the CRC32C paths. Every function here works on the raw register: the
// public functions invert it before and after (the "~crc" of the standard definition), so
// that the raw form stays linear and streams can be combined with a shift.

#include <cstddef>
#include <cstdint>

namespace elk::crc::internal {

// The reflected Castagnoli polynomial.
inline constexpr uint32_t kPoly = 0x82F63B78u;

// a * b modulo P, both in reflected form (bit 31 is x^0).
uint32_t MultModP(uint32_t a, uint32_t b);

// x^(8 * n) modulo P: the operator that appends n zero bytes to a raw register.
uint32_t XPow8N(uint64_t n);

// Appends `n` zero bytes to raw register `reg` for a fixed n, by four table look-ups. The
// hardware path uses it to join its three interleaved streams.
class ZeroShifter {
 public:
  explicit ZeroShifter(uint64_t n);
  uint32_t Shift(uint32_t reg) const {
    return table_[0][reg & 0xFF] ^ table_[1][(reg >> 8) & 0xFF] ^ table_[2][(reg >> 16) & 0xFF] ^
           table_[3][reg >> 24];
  }

 private:
  uint32_t table_[4][256];
};

// Raw register update by slicing-by-8 tables; any CPU.
uint32_t RawPortable(uint32_t reg, const uint8_t* p, size_t len);
// Raw register update by the SSE4.2 crc32 instruction; call only when the CPU has it.
uint32_t RawSse42(uint32_t reg, const uint8_t* p, size_t len);

}  // namespace elk::crc::internal
