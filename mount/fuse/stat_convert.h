#pragma once
// The mount's side of the attribute forms of common/protocol/records.h: file times as
// struct timespec, device numbers as dev_t.

#include <sys/sysmacros.h>
#include <sys/types.h>

#include <cstdint>
#include <ctime>

#include "common/file_time.h"

namespace elk::fuse_convert {

inline timespec ToTimespec(FileTime t) {
  const SplitTime s = SplitFileTime(t);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(s.sec);
  ts.tv_nsec = static_cast<long>(s.nsec);
  return ts;
}

// A time beyond 1677..2262 is kept as the nearest end of that span.
inline FileTime FromTimespec(const timespec& ts) {
  return FileTimeOf(static_cast<int64_t>(ts.tv_sec), static_cast<int64_t>(ts.tv_nsec));
}

// The wire's rdev is Linux's 32-bit device number (what the kernel hands FUSE's mknod): a
// major up to 4095 and a minor up to 2^20 - 1. Bits beyond those are dropped.
inline uint32_t WireRdev(dev_t dev) {
  const uint32_t maj = major(dev) & 0xfffu;
  const uint32_t min = minor(dev) & 0xfffffu;
  return (min & 0xffu) | (maj << 8) | ((min & ~0xffu) << 12);
}

inline dev_t DevOfWire(uint32_t rdev) {
  return makedev((rdev >> 8) & 0xfffu, (rdev & 0xffu) | ((rdev >> 12) & 0xfff00u));
}

}  // namespace elk::fuse_convert
