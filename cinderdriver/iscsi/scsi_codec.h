#pragma once
// The SCSI logical unit's byte-level helpers, shared by its files (scsi_lu*.cc) and nothing
// else: opcodes, big-endian fields, the common CHECK CONDITIONs, a CDB's size and extent.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "cinderdriver/iscsi/scsi_lu.h"
#include "common/status.h"

namespace elk::iscsi::scsi {

// Opcodes (SPC-4, SBC-3).
enum : uint8_t {
  kTestUnitReady = 0x00,
  kRequestSense = 0x03,
  kRead6 = 0x08,
  kWrite6 = 0x0a,
  kInquiry = 0x12,
  kModeSelect6 = 0x15,
  kReserve6 = 0x16,
  kRelease6 = 0x17,
  kModeSense6 = 0x1a,
  kStartStopUnit = 0x1b,
  kPreventAllow = 0x1e,
  kReadCapacity10 = 0x25,
  kRead10 = 0x28,
  kWrite10 = 0x2a,
  kWriteVerify10 = 0x2e,
  kVerify10 = 0x2f,
  kPreFetch10 = 0x34,
  kSyncCache10 = 0x35,
  kWriteSame10 = 0x41,
  kUnmap = 0x42,
  kModeSelect10 = 0x55,
  kModeSense10 = 0x5a,
  kPersistentIn = 0x5e,
  kPersistentOut = 0x5f,
  kRead16 = 0x88,
  kCompareAndWrite = 0x89,
  kWrite16 = 0x8a,
  kOrWrite16 = 0x8b,
  kWriteVerify16 = 0x8e,
  kVerify16 = 0x8f,
  kPreFetch16 = 0x90,
  kSyncCache16 = 0x91,
  kWriteSame16 = 0x93,
  kServiceIn16 = 0x9e,
  kReportLuns = 0xa0,
  kMaintenanceIn = 0xa3,
  kRead12 = 0xa8,
  kWrite12 = 0xaa,
  kWriteVerify12 = 0xae,
  kVerify12 = 0xaf,
};
inline constexpr uint8_t kReadCapacity16Action = 0x10;
inline constexpr uint8_t kGetLbaStatusAction = 0x12;
inline constexpr uint8_t kReportOpcodesAction = 0x0c;  // MAINTENANCE IN
// COMPARE AND WRITE: at most this many blocks compared and written (Block Limits byte 5).
inline constexpr uint8_t kMaxCompareWriteBlocks = 255;
// Largest single transfer we take (Block Limits reports a quarter of it as the maximum).
inline constexpr uint32_t kMaxTransferBlocks = 32768;
inline constexpr uint32_t kReportedMaxTransfer = 8192;
inline constexpr uint32_t kMaxWriteSameBlocks = 32768;  // 16 MiB, the largest transfer taken
inline constexpr uint32_t kMaxUnmapBlocks = 1u << 20;   // 512 MiB (SBC: at most 2^20 here)
// What a volume frees whole: a 64 MiB chunk (smaller ranges are written with zeros).
inline constexpr uint32_t kUnmapGranularity = 131072;

inline uint16_t Be16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
inline uint32_t Be32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}
inline uint64_t Be64(std::span<const uint8_t> b, size_t at) {
  return uint64_t{Be32(b, at)} << 32 | Be32(b, at + 4);
}
inline void Put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
inline void Put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    v[at + i] = static_cast<uint8_t>(x >> (24 - 8 * i));
}
inline void Put64(std::vector<uint8_t>& v, size_t at, uint64_t x) {
  Put32(v, at, static_cast<uint32_t>(x >> 32));
  Put32(v, at + 4, static_cast<uint32_t>(x));
}
inline void PutText(std::vector<uint8_t>& v, size_t at, size_t width, std::string_view s) {
  for (size_t i = 0; i < width; ++i)
    v[at + i] = i < s.size() ? static_cast<uint8_t>(s[i]) : ' ';
}

inline ScsiResult Good(std::vector<uint8_t> data = {}, size_t alloc = SIZE_MAX) {
  if (data.size() > alloc) data.resize(alloc);
  return ScsiResult{kStatusGood, {}, std::move(data)};
}
inline ScsiResult InvalidOpcode() {
  return CheckCondition(kSenseIllegalRequest, 0x20, 0x00);
}
inline ScsiResult InvalidField() {
  return CheckCondition(kSenseIllegalRequest, 0x24, 0x00);
}
inline ScsiResult OutOfRange() {
  return CheckCondition(kSenseIllegalRequest, 0x21, 0x00);
}
inline ScsiResult ParamListError() {
  return CheckCondition(kSenseIllegalRequest, 0x26, 0x00);
}

inline ScsiResult DeviceError(const Status& s, bool writing) {
  if (s.code() == Code::kNoSpace || s.code() == Code::kNoChunkServers || s.code() == Code::kQuota)
    return CheckCondition(kSenseDataProtect, 0x27, 0x07);  // space allocation failed
  if (s.code() == Code::kReadOnly) return CheckCondition(kSenseDataProtect, 0x27, 0x00);
  return writing ? CheckCondition(kSenseMediumError, 0x0c, 0x00)   // write error
                 : CheckCondition(kSenseMediumError, 0x11, 0x00);  // unrecovered read error
}

// (lba, blocks) of a READ/WRITE/VERIFY-style CDB by its size group.
struct Extent {
  uint64_t lba = 0;
  uint32_t blocks = 0;
};
inline Extent DecodeExtent(std::span<const uint8_t> cdb) {
  switch (cdb[0] >> 5) {
    case 0:  // 6-byte
      return {uint64_t{Be32(cdb, 0)} & 0x1fffff, cdb[4] == 0 ? 256u : cdb[4]};
    case 1:
    case 2:  // 10-byte
      return {Be32(cdb, 2), Be16(cdb, 7)};
    case 5:  // 12-byte
      return {Be32(cdb, 2), Be32(cdb, 6)};
    case 4:  // 16-byte
      return {Be64(cdb, 2), Be32(cdb, 10)};
    default:
      return {};
  }
}

inline bool CarriesProtectField(uint8_t op) {
  switch (op) {
    case kRead10:
    case kRead12:
    case kRead16:
    case kWrite10:
    case kWrite12:
    case kWrite16:
    case kWriteVerify10:
    case kWriteVerify12:
    case kWriteVerify16:
    case kVerify10:
    case kVerify12:
    case kVerify16:
    case kWriteSame10:
    case kWriteSame16:
    case kCompareAndWrite:
    case kOrWrite16:
      return true;
    default:
      return false;
  }
}

inline size_t CdbSize(uint8_t op) {
  switch (op >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 6;
  }
}

}  // namespace elk::iscsi::scsi
