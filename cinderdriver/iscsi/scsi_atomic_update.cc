// COMPARE AND WRITE and ORWRITE: a read, a check or a merge, and a write that no other
// write of this unit may come between. Both take the unit's update lock exclusively; every
// other write (WRITE, WRITE SAME, UNMAP) takes it shared, so they run in parallel with
// each other and wait only for these. The lock holds within one mfsiscsid: two targets
// serving one volume (multi-attach) do not exclude each other (docs/volumes.md).

#include <algorithm>
#include <mutex>

#include "cinderdriver/iscsi/scsi_codec.h"
#include "cinderdriver/iscsi/scsi_lu.h"

namespace elk::iscsi {

using namespace scsi;  // NOLINT(google-build-using-namespace): this unit's own helpers

namespace {

// MISCOMPARE DURING VERIFY OPERATION, with the offset of the first differing byte in the
// INFORMATION field (SBC-3 5.2).
ScsiResult Miscompare(uint32_t offset) {
  ScsiResult r = CheckCondition(kSenseMiscompare, 0x1d, 0x00);
  r.sense[0] |= 0x80;  // VALID: INFORMATION holds the offset
  for (int i = 0; i < 4; ++i)
    r.sense[3 + i] = static_cast<uint8_t>(offset >> (24 - 8 * i));
  return r;
}

}  // namespace

ScsiResult ScsiLu::CompareAndWrite(std::span<const uint8_t> cdb, std::span<const uint8_t> data) {
  const uint64_t lba = Be64(cdb, 2);
  const uint32_t count = cdb[13];
  const size_t bytes = size_t{count} * kLogicalBlock;
  // Verify data then write data; a buffer of another size is a broken command (256 blocks
  // asked for arrive as a count of 0 with 256 blocks' data).
  if (data.size() != 2 * bytes) return InvalidField();
  if (count == 0) return Good();  // SBC: no blocks, nothing compared or written
  if (count > kMaxCompareWriteBlocks) return InvalidField();
  if (!InRange(lba, count)) return OutOfRange();
  std::unique_lock lock(update_mu_);
  std::vector<uint8_t> now(bytes);
  Status s = device_->Read(lba * kLogicalBlock, now);
  if (!s.ok()) return DeviceError(s, false);
  const auto [mine, theirs] = std::mismatch(now.begin(), now.end(), data.begin());
  if (mine != now.end()) return Miscompare(static_cast<uint32_t>(mine - now.begin()));
  s = device_->Write(lba * kLogicalBlock, data.subspan(bytes, bytes));
  if (s.ok() && (cdb[1] & 0x08) != 0) s = device_->Flush();  // FUA
  if (!s.ok()) return DeviceError(s, true);
  return Good();
}

ScsiResult ScsiLu::OrWrite(uint64_t lba, uint32_t count, std::span<const uint8_t> data, bool fua) {
  if (!InRange(lba, count)) return OutOfRange();
  if (count > kMaxTransferBlocks) return InvalidField();
  if (count == 0) return Good();
  const size_t bytes = size_t{count} * kLogicalBlock;
  if (data.size() < bytes) return CheckCondition(kSenseIllegalRequest, 0x1a, 0x00);
  std::unique_lock lock(update_mu_);
  std::vector<uint8_t> merged(bytes);
  Status s = device_->Read(lba * kLogicalBlock, merged);
  if (!s.ok()) return DeviceError(s, false);
  for (size_t i = 0; i < bytes; ++i)
    merged[i] |= data[i];
  s = device_->Write(lba * kLogicalBlock, merged);
  if (s.ok() && fua) s = device_->Flush();
  if (!s.ok()) return DeviceError(s, true);
  return Good();
}

}  // namespace elk::iscsi
