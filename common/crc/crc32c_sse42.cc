// The hardware CRC32C: the SSE4.2 crc32 instruction, eight bytes at a time. One instruction
// has a latency of about three cycles but the CPU can start one per cycle, so large buffers
// are cut into three adjacent streams hashed in the same loop, then joined by shifting the
// earlier streams' registers over the later streams' lengths (ZeroShifter).
//
// Only this file is compiled for SSE4.2 (per function, with a target attribute), so the
// build needs no -msse4.2 and the code runs on any x86-64; crc32c.cc calls it only when
// cpuid says the CPU has the instruction.

#include <cstring>

#include "common/crc/crc32c_internal.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace elk::crc::internal {

#if defined(__x86_64__)
namespace {

// Stream lengths: long for large buffers, short so that a 4 KiB block is still interleaved.
constexpr size_t kLong = 8192;
constexpr size_t kShort = 256;

struct Shifters {
  ZeroShifter long_shift{kLong};
  ZeroShifter short_shift{kShort};
};

const Shifters& GetShifters() {
  static const Shifters shifters;
  return shifters;
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <size_t kLen>
__attribute__((target("sse4.2"))) inline uint32_t ThreeStreams(uint32_t reg, const uint8_t* p,
                                                               const ZeroShifter& shift) {
  uint64_t c0 = reg, c1 = 0, c2 = 0;
  for (const uint8_t* end = p + kLen; p < end; p += 8) {
    c0 = _mm_crc32_u64(c0, Load64(p));
    c1 = _mm_crc32_u64(c1, Load64(p + kLen));
    c2 = _mm_crc32_u64(c2, Load64(p + 2 * kLen));
  }
  const uint32_t joined = shift.Shift(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return shift.Shift(joined) ^ static_cast<uint32_t>(c2);
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t RawSse42(uint32_t reg, const uint8_t* p, size_t len) {
  // Align to 8 so the wide loads never straddle a cache line needlessly.
  for (; len > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0; ++p, --len) {
    reg = _mm_crc32_u8(reg, *p);
  }
  if (len >= 3 * kShort) {
    const Shifters& s = GetShifters();
    for (; len >= 3 * kLong; p += 3 * kLong, len -= 3 * kLong) {
      reg = ThreeStreams<kLong>(reg, p, s.long_shift);
    }
    for (; len >= 3 * kShort; p += 3 * kShort, len -= 3 * kShort) {
      reg = ThreeStreams<kShort>(reg, p, s.short_shift);
    }
  }
  uint64_t wide = reg;
  for (; len >= 8; p += 8, len -= 8)
    wide = _mm_crc32_u64(wide, Load64(p));
  reg = static_cast<uint32_t>(wide);
  for (; len > 0; ++p, --len)
    reg = _mm_crc32_u8(reg, *p);
  return reg;
}

#else

uint32_t RawSse42(uint32_t reg, const uint8_t* p, size_t len) {
  return RawPortable(reg, p, len);
}

#endif

}  // namespace elk::crc::internal
