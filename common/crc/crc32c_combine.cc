// Arithmetic modulo the CRC polynomial: what lets CRCs of pieces be joined without the data.

#include <array>

#include "common/crc/crc32c_internal.h"

namespace elk::crc::internal {
namespace {

constexpr uint32_t kOne = 0x80000000u;  // x^0 in reflected form

// kX2N[k] = x^(2^k) mod P; 64 entries cover any 64-bit exponent.
constexpr std::array<uint32_t, 64> MakePowers() {
  std::array<uint32_t, 64> p{};
  p[0] = kOne >> 1;  // x^1
  for (size_t k = 1; k < p.size(); ++k) {
    // Square p[k-1]; a constexpr copy of MultModP, as the real one is not constexpr.
    uint32_t a = p[k - 1], b = p[k - 1], prod = 0;
    for (uint32_t m = kOne; m != 0; m >>= 1) {
      if (a & m) prod ^= b;
      b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
    }
    p[k] = prod;
  }
  return p;
}

constexpr std::array<uint32_t, 64> kX2N = MakePowers();

}  // namespace

uint32_t MultModP(uint32_t a, uint32_t b) {
  uint32_t prod = 0;
  for (uint32_t m = kOne; m != 0 && a != 0; m >>= 1) {
    if (a & m) {
      prod ^= b;
      a ^= m;
    }
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return prod;
}

uint32_t XPow8N(uint64_t n) {
  uint32_t p = kOne;
  // x^(8n) = product of x^(2^(k+3)) over the set bits k of n.
  for (size_t k = 3; n != 0 && k < kX2N.size(); ++k, n >>= 1) {
    if (n & 1) p = MultModP(kX2N[k], p);
  }
  return p;
}

ZeroShifter::ZeroShifter(uint64_t n) {
  const uint32_t op = XPow8N(n);
  for (uint32_t k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b)
      table_[k][b] = MultModP(op, b << (8 * k));
  }
}

}  // namespace elk::crc::internal
