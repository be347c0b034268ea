#pragma once
// A SCSI logical unit (SBC-3 direct-access block device) over a BlockDevice: decodes a
// CDB, checks it, moves the data and builds the status and sense data the initiator needs.
// Knows nothing of iSCSI: the connection hands it a command with its data-out and sends
// back what it returns.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "cinderdriver/iscsi/block_device.h"

namespace elk::iscsi {

inline constexpr uint32_t kLogicalBlock = 512;
inline constexpr uint8_t kStatusGood = 0x00;
inline constexpr uint8_t kStatusCheckCondition = 0x02;

struct ScsiResult {
  uint8_t status = kStatusGood;
  std::vector<uint8_t> sense;    // fixed-format sense data when CHECK CONDITION
  std::vector<uint8_t> data_in;  // what the initiator reads (may be cut to its length)
};

struct LuIdentity {
  std::string serial;  // VPD page 0x80, at most 32 characters
  uint64_t naa = 0;    // low 60 bits of the NAA 6 designator in VPD page 0x83
  std::string product = "ElkFS volume";
};

// How many bytes of data-out a command carries (known from the CDB before any data comes),
// so the transport can ask for exactly that.
uint64_t DataOutLength(std::span<const uint8_t> cdb);

class ScsiLu {
 public:
  ScsiLu(std::shared_ptr<BlockDevice> device, LuIdentity identity);

  // `lun` is the addressed LUN: only 0 exists. `data_out` is what the initiator sent.
  ScsiResult Execute(uint16_t lun, std::span<const uint8_t> cdb, std::span<const uint8_t> data_out);

  // A READ that the device can answer from memory, answered now; nullopt for anything
  // else (run Execute on a worker then).
  std::optional<ScsiResult> TryReadFast(uint16_t lun, std::span<const uint8_t> cdb);

  BlockDevice& device() { return *device_; }

 private:
  ScsiResult Inquiry(std::span<const uint8_t> cdb, bool lun_exists);
  ScsiResult Vpd(uint8_t page);
  ScsiResult ReadCapacity10();
  ScsiResult ReadCapacity16(std::span<const uint8_t> cdb);
  ScsiResult GetLbaStatus(std::span<const uint8_t> cdb);
  ScsiResult Read(uint64_t lba, uint32_t blocks);
  ScsiResult Write(uint64_t lba, uint32_t blocks, std::span<const uint8_t> data, bool fua);
  ScsiResult Verify(uint64_t lba, uint32_t blocks, bool bytchk, std::span<const uint8_t> data);
  ScsiResult SyncCache(uint64_t lba, uint32_t blocks);
  ScsiResult ModeSense(std::span<const uint8_t> cdb, bool ten);
  ScsiResult ReportLuns(std::span<const uint8_t> cdb);
  ScsiResult Unmap(std::span<const uint8_t> cdb, std::span<const uint8_t> params);
  ScsiResult WriteSame(uint64_t lba, uint32_t blocks, bool unmap, std::span<const uint8_t> data);
  // scsi_atomic_update.cc
  ScsiResult CompareAndWrite(std::span<const uint8_t> cdb, std::span<const uint8_t> data);
  ScsiResult OrWrite(uint64_t lba, uint32_t blocks, std::span<const uint8_t> data, bool fua);
  // scsi_supported_ops.cc
  ScsiResult ReportSupportedOpcodes(std::span<const uint8_t> cdb);
  bool InRange(uint64_t lba, uint64_t blocks) const;
  uint64_t blocks() const { return device_->size_bytes() / kLogicalBlock; }

  std::shared_ptr<BlockDevice> device_;
  LuIdentity identity_;
  std::atomic<uint64_t> reported_size_;  // a change is announced once as a unit attention
  // Writes hold it shared; COMPARE AND WRITE and ORWRITE exclusively, so nothing written
  // through this unit comes between their read and their write.
  std::shared_mutex update_mu_;
};

// Fixed-format sense data (SPC-4 4.5.3).
std::vector<uint8_t> Sense(uint8_t key, uint8_t asc, uint8_t ascq);
ScsiResult CheckCondition(uint8_t key, uint8_t asc, uint8_t ascq);

inline constexpr uint8_t kSenseNoSense = 0x0;
inline constexpr uint8_t kSenseMediumError = 0x3;
inline constexpr uint8_t kSenseHardwareError = 0x4;
inline constexpr uint8_t kSenseIllegalRequest = 0x5;
inline constexpr uint8_t kSenseUnitAttention = 0x6;
inline constexpr uint8_t kSenseDataProtect = 0x7;
inline constexpr uint8_t kSenseAbortedCommand = 0xb;
inline constexpr uint8_t kSenseMiscompare = 0xe;

}  // namespace elk::iscsi
