#pragma once
// A file's time as the namespace, the wire and the changelog carry it: signed nanoseconds
// since 1970-01-01 00:00:00 UTC in one int64, which spans 1677-09-21 to 2262-04-11. A time
// outside that span saturates at its nearest end, as Linux clamps a time to what its file
// system can hold. See docs/namespace.md ("Times").

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace elk {

using FileTime = int64_t;

inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr FileTime kFileTimeMin = std::numeric_limits<FileTime>::min();
inline constexpr FileTime kFileTimeMax = std::numeric_limits<FileTime>::max();

// sec seconds and nsec nanoseconds after the epoch (nsec may be any value: it is added).
constexpr FileTime FileTimeOf(int64_t sec, int64_t nsec = 0) {
  FileTime ns = 0;
  if (__builtin_mul_overflow(sec, kNsPerSecond, &ns)) return sec < 0 ? kFileTimeMin : kFileTimeMax;
  FileTime sum = 0;
  if (__builtin_add_overflow(ns, nsec, &sum)) return nsec < 0 ? kFileTimeMin : kFileTimeMax;
  return sum;
}

// A time as (seconds, nanoseconds) with nsec in [0, 1e9): the seconds round down, as
// struct timespec holds a time before the epoch (-0.25 s is {-1, 750000000}).
struct SplitTime {
  int64_t sec = 0;
  int64_t nsec = 0;
};

constexpr SplitTime SplitFileTime(FileTime t) {
  int64_t sec = t / kNsPerSecond;
  int64_t nsec = t % kNsPerSecond;
  if (nsec < 0) {
    sec -= 1;
    nsec += kNsPerSecond;
  }
  return {sec, nsec};
}

// As text (changelog records, dumps): decimal seconds, then '.' and nine digits of
// nanoseconds when there are any: "1577836800", "1577836800.123456789", "-0.250000000".
// A whole second reads as the bare number the u32-second layouts wrote, so their text
// parses unchanged.
inline std::string FileTimeText(FileTime t) {
  const bool negative = t < 0;
  const uint64_t mag = negative ? uint64_t{0} - static_cast<uint64_t>(t) : static_cast<uint64_t>(t);
  const uint64_t ns = mag % kNsPerSecond;
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / kNsPerSecond);
  if (ns != 0) {
    std::string frac = std::to_string(ns);
    out += '.';
    out.append(9 - frac.size(), '0');
    out += frac;
  }
  return out;
}

// The inverse of FileTimeText; false on any other text or a time outside the int64 span.
inline bool ParseFileTimeText(std::string_view s, FileTime* out) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  uint64_t sec = 0;
  uint64_t ns = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), sec);
  if (whole.empty() || ec != std::errc() || p != whole.data() + whole.size()) return false;
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (frac.size() != 9) return false;
    auto [q, ec2] = std::from_chars(frac.data(), frac.data() + frac.size(), ns);
    if (ec2 != std::errc() || q != frac.data() + frac.size()) return false;
  }
  uint64_t mag = 0;
  if (__builtin_mul_overflow(sec, uint64_t{kNsPerSecond}, &mag) ||
      __builtin_add_overflow(mag, ns, &mag)) {
    return false;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (mag > limit) return false;
  *out = negative ? static_cast<FileTime>(uint64_t{0} - mag) : static_cast<FileTime>(mag);
  return true;
}

}  // namespace elk
