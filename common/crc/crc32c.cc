// The public CRC32C entry points: choose the path once, and add the standard inversions
// around the raw register.

#include "common/crc/crc32c.h"

#include "common/crc/crc32c_internal.h"

namespace elk::crc {
namespace {

bool DetectHardware() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

}  // namespace

bool HardwareAccelerated() {
  static const bool hardware = DetectHardware();
  return hardware;
}

uint32_t Crc32c(uint32_t crc, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  const uint32_t reg = HardwareAccelerated() ? internal::RawSse42(~crc, p, len)
                                             : internal::RawPortable(~crc, p, len);
  return ~reg;
}

uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t len) {
  return ~internal::RawPortable(~crc, static_cast<const uint8_t*>(data), len);
}

uint32_t Crc32cCombine(uint32_t crc_a, uint32_t crc_b, size_t len_b) {
  // The inversions cancel: crc(A||B) = crc(A) * x^(8*len_b) + crc(B).
  return internal::MultModP(internal::XPow8N(len_b), crc_a) ^ crc_b;
}

uint32_t Crc32cZeros(size_t len) {
  return ~internal::MultModP(internal::XPow8N(len), 0xFFFFFFFFu);
}

uint32_t Crc32cExtendZeros(uint32_t crc, size_t len) {
  return Crc32cCombine(crc, Crc32cZeros(len), len);
}

}  // namespace elk::crc
