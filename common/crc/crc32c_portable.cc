// The portable CRC32C: slicing-by-8, eight bytes per step through eight 256-entry tables
// that are built at compile time.

#include <array>
#include <bit>
#include <cstring>

#include "common/crc/crc32c_internal.h"

namespace elk::crc::internal {
namespace {

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t reg = b;
    for (int k = 0; k < 8; ++k)
      reg = (reg & 1) ? (reg >> 1) ^ kPoly : reg >> 1;
    t[0][b] = reg;
  }
  // t[k][b]: byte b followed by k zero bytes.
  for (size_t k = 1; k < 8; ++k) {
    for (size_t b = 0; b < 256; ++b)
      t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

uint32_t Byte(uint32_t reg, uint8_t b) {
  return (reg >> 8) ^ kTables[0][(reg ^ b) & 0xFF];
}

}  // namespace

uint32_t RawPortable(uint32_t reg, const uint8_t* p, size_t len) {
  for (; len >= 8; p += 8, len -= 8) {
    const uint64_t v = LoadLe64(p) ^ reg;
    reg = kTables[7][v & 0xFF] ^ kTables[6][(v >> 8) & 0xFF] ^ kTables[5][(v >> 16) & 0xFF] ^
          kTables[4][(v >> 24) & 0xFF] ^ kTables[3][(v >> 32) & 0xFF] ^
          kTables[2][(v >> 40) & 0xFF] ^ kTables[1][(v >> 48) & 0xFF] ^ kTables[0][v >> 56];
  }
  for (; len > 0; ++p, --len)
    reg = Byte(reg, *p);
  return reg;
}

}  // namespace elk::crc::internal
