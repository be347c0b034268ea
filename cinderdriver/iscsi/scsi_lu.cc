#include "cinderdriver/iscsi/scsi_lu.h"

#include <algorithm>
#include <cstring>

#include "cinderdriver/iscsi/scsi_codec.h"

namespace elk::iscsi {

using namespace scsi;  // NOLINT(google-build-using-namespace): this file's own helpers

std::vector<uint8_t> Sense(uint8_t key, uint8_t asc, uint8_t ascq) {
  std::vector<uint8_t> s(18, 0);
  s[0] = 0x70;  // current error, fixed format
  s[2] = key;
  s[7] = 10;  // additional sense length
  s[12] = asc;
  s[13] = ascq;
  return s;
}

ScsiResult CheckCondition(uint8_t key, uint8_t asc, uint8_t ascq) {
  return ScsiResult{kStatusCheckCondition, Sense(key, asc, ascq), {}};
}

uint64_t DataOutLength(std::span<const uint8_t> cdb) {
  if (cdb.empty() || cdb.size() < CdbSize(cdb[0])) return 0;
  switch (cdb[0]) {
    case kWrite6:
    case kWrite10:
    case kWrite12:
    case kWrite16:
    case kWriteVerify10:
    case kWriteVerify12:
    case kWriteVerify16:
      return uint64_t{DecodeExtent(cdb).blocks} * kLogicalBlock;
    case kVerify10:
    case kVerify12:
    case kVerify16:
      return (cdb[1] & 0x06) == 0x02 ? uint64_t{DecodeExtent(cdb).blocks} * kLogicalBlock : 0;
    case kWriteSame10:
      return kLogicalBlock;
    case kCompareAndWrite:
      return uint64_t{2} * cdb[13] * kLogicalBlock;  // verify data, then write data
    case kOrWrite16:
      return uint64_t{DecodeExtent(cdb).blocks} * kLogicalBlock;
    case kWriteSame16:
      return (cdb[1] & 0x01) ? 0 : kLogicalBlock;  // NDOB: no data-out buffer
    case kUnmap:
    case kModeSelect10:
      return Be16(cdb, 7);
    case kModeSelect6:
      return cdb[4];
    case kPersistentOut:
      return Be32(cdb, 5);
    default:
      return 0;
  }
}

ScsiLu::ScsiLu(std::shared_ptr<BlockDevice> device, LuIdentity identity)
    : device_(std::move(device)),
      identity_(std::move(identity)),
      reported_size_(device_->size_bytes()) {}

bool ScsiLu::InRange(uint64_t lba, uint64_t count) const {
  const uint64_t n = blocks();
  return lba <= n && count <= n - lba;
}

ScsiResult ScsiLu::Execute(uint16_t lun, std::span<const uint8_t> cdb,
                           std::span<const uint8_t> data_out) {
  if (cdb.empty() || cdb.size() < CdbSize(cdb[0])) return InvalidOpcode();
  const uint8_t op = cdb[0];
  if (op == kInquiry) return Inquiry(cdb, lun == 0);
  if (op == kReportLuns) return ReportLuns(cdb);
  if (op == kRequestSense) return Good(Sense(kSenseNoSense, 0, 0), cdb[4]);
  if (lun != 0) return CheckCondition(kSenseIllegalRequest, 0x25, 0x00);  // LU not supported
  // A volume that was extended: say so once, as SBC requires, so initiators re-read it.
  uint64_t seen = reported_size_.load();
  const uint64_t now = device_->size_bytes();
  if (seen != now && reported_size_.compare_exchange_strong(seen, now))
    return CheckCondition(kSenseUnitAttention, 0x2a, 0x09);  // capacity data has changed
  const bool fua = (cdb[1] & 0x08) != 0;
  // RDPROTECT / WRPROTECT / VRPROTECT: no protection information is kept.
  if (CarriesProtectField(op) && (cdb[1] >> 5) != 0) return InvalidField();
  switch (op) {
    case kTestUnitReady:
    case kStartStopUnit:
    case kPreventAllow:
      return Good();
    case kReadCapacity10:
      return ReadCapacity10();
    case kServiceIn16:
      if ((cdb[1] & 0x1f) == kReadCapacity16Action) return ReadCapacity16(cdb);
      // Mandatory with LBPME (READ CAPACITY (16)); QEMU asks before reading a thin unit.
      if ((cdb[1] & 0x1f) == kGetLbaStatusAction && device_->can_unmap()) return GetLbaStatus(cdb);
      return InvalidField();
    case kRead6:
    case kRead10:
    case kRead12:
    case kRead16: {
      Extent e = DecodeExtent(cdb);
      return Read(e.lba, e.blocks);
    }
    case kWrite6:
    case kWrite10:
    case kWrite12:
    case kWrite16: {
      Extent e = DecodeExtent(cdb);
      return Write(e.lba, e.blocks, data_out, op != kWrite6 && fua);
    }
    case kWriteVerify10:
    case kWriteVerify12:
    case kWriteVerify16: {
      Extent e = DecodeExtent(cdb);
      return Write(e.lba, e.blocks, data_out, true);
    }
    case kVerify10:
    case kVerify12:
    case kVerify16: {
      Extent e = DecodeExtent(cdb);
      const uint8_t bytchk = (cdb[1] >> 1) & 0x03;
      if (bytchk != 0 && bytchk != 1) return InvalidField();
      return Verify(e.lba, e.blocks, bytchk == 1, data_out);
    }
    case kSyncCache10:
      return SyncCache(Be32(cdb, 2), Be16(cdb, 7));
    case kSyncCache16:
      return SyncCache(Be64(cdb, 2), Be32(cdb, 10));
    case kModeSense6:
      return ModeSense(cdb, false);
    case kModeSense10:
      return ModeSense(cdb, true);
    case kModeSelect6:
    case kModeSelect10:
      // Nothing is changeable (MODE SENSE reports so); a header alone is accepted.
      return Good();
    case kUnmap:
      return Unmap(cdb, data_out);
    case kWriteSame10: {
      Extent e = DecodeExtent(cdb);
      if (cdb[1] & 0x10) return InvalidField();  // ANCHOR: no anchored blocks
      return WriteSame(e.lba, e.blocks, (cdb[1] & 0x08) != 0, data_out);
    }
    case kWriteSame16: {
      Extent e = DecodeExtent(cdb);
      if (cdb[1] & 0x10) return InvalidField();  // ANCHOR
      return WriteSame(e.lba, e.blocks, (cdb[1] & 0x08) != 0, data_out);
    }
    case kCompareAndWrite:
      return CompareAndWrite(cdb, data_out);
    case kOrWrite16: {
      Extent e = DecodeExtent(cdb);
      return OrWrite(e.lba, e.blocks, data_out, fua);
    }
    case kPreFetch10:
    case kPreFetch16: {
      // Chunks are read when asked for; nothing to warm here. GOOD says the range is valid
      // and, as SBC allows, that it was not all brought into a cache.
      Extent e = DecodeExtent(cdb);
      return InRange(e.lba, e.blocks) ? Good() : OutOfRange();
    }
    case kMaintenanceIn:
      if ((cdb[1] & 0x1f) == kReportOpcodesAction) return ReportSupportedOpcodes(cdb);
      return InvalidField();
    case kPersistentIn:
    case kPersistentOut:
    default:
      // Persistent reservations are not offered: refused as an unknown command, so
      // initiators and clusters see plainly that they must not rely on them.
      return InvalidOpcode();
  }
}

std::optional<ScsiResult> ScsiLu::TryReadFast(uint16_t lun, std::span<const uint8_t> cdb) {
  if (lun != 0 || cdb.empty() || cdb.size() < CdbSize(cdb[0])) return std::nullopt;
  const uint8_t op = cdb[0];
  if (op != kRead6 && op != kRead10 && op != kRead12 && op != kRead16) return std::nullopt;
  if (op != kRead6 && (cdb[1] >> 5) != 0) return std::nullopt;
  if (reported_size_.load() != device_->size_bytes()) return std::nullopt;  // attention due
  const Extent e = DecodeExtent(cdb);
  if (!InRange(e.lba, e.blocks) || e.blocks > kMaxTransferBlocks) return std::nullopt;
  std::vector<uint8_t> d(uint64_t{e.blocks} * kLogicalBlock);
  if (!device_->TryReadCached(e.lba * kLogicalBlock, d)) return std::nullopt;
  return Good(std::move(d));
}

ScsiResult ScsiLu::Inquiry(std::span<const uint8_t> cdb, bool lun_exists) {
  const bool evpd = (cdb[1] & 0x01) != 0;
  const uint8_t page = cdb[2];
  const uint16_t alloc = Be16(cdb, 3);
  if (!evpd && page != 0) return InvalidField();
  if (evpd) {
    if (!lun_exists) return InvalidField();
    ScsiResult r = Vpd(page);
    if (r.status == kStatusGood && r.data_in.size() > alloc) r.data_in.resize(alloc);
    return r;
  }
  std::vector<uint8_t> d(74, 0);
  d[0] = lun_exists ? 0x00 : 0x7f;  // direct-access block device / no LU here
  d[2] = 0x06;                      // SPC-4
  d[3] = 0x12;                      // HiSup, response data format 2
  d[4] = static_cast<uint8_t>(d.size() - 5);
  d[7] = 0x02;  // CmdQue
  PutText(d, 8, 8, "ELKFS");
  PutText(d, 16, 16, identity_.product);
  PutText(d, 32, 4, "0001");
  const uint16_t versions[] = {0x00a0 /*SAM-5*/, 0x0960 /*iSCSI*/, 0x0460 /*SPC-4*/,
                               0x04c0 /*SBC-3*/};
  for (size_t i = 0; i < 4; ++i)
    Put16(d, 58 + 2 * i, versions[i]);
  return Good(std::move(d), alloc);
}

ScsiResult ScsiLu::Vpd(uint8_t page) {
  std::vector<uint8_t> d(4, 0);
  d[1] = page;
  auto finish = [&d]() {
    Put16(d, 2, static_cast<uint16_t>(d.size() - 4));
    return Good(std::move(d));
  };
  switch (page) {
    case 0x00:
      for (uint8_t p : {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2})
        d.push_back(p);
      return finish();
    case 0x80:
      d.insert(d.end(), identity_.serial.begin(), identity_.serial.end());
      return finish();
    case 0x83: {
      // NAA 5 (IEEE registered): what Linux names /dev/disk/by-id/wwn-0x… after.
      d.insert(d.end(), {0x01, 0x03, 0x00, 0x08});
      const uint64_t naa = (uint64_t{5} << 60) | (identity_.naa & 0x0fffffffffffffffULL);
      for (int i = 7; i >= 0; --i)
        d.push_back(static_cast<uint8_t>(naa >> (8 * i)));
      // T10 vendor identification: vendor and serial, in ASCII.
      std::string t10 = "ELKFS   " + identity_.serial;
      d.insert(d.end(), {0x02, 0x01, 0x00, static_cast<uint8_t>(t10.size())});
      d.insert(d.end(), t10.begin(), t10.end());
      // Relative target port 1 (iSCSI, target-port association).
      d.insert(d.end(), {0x51, 0x94, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01});
      return finish();
    }
    case 0xb0: {  // block limits
      d.resize(64, 0);
      d[4] = 0x01;  // WSNZ: WRITE SAME with zero blocks is refused
      d[5] = kMaxCompareWriteBlocks;
      Put16(d, 6, 8);  // optimal granularity: 4 KiB
      Put32(d, 8, kReportedMaxTransfer);
      Put32(d, 12, kReportedMaxTransfer);
      if (device_->can_unmap()) {
        Put32(d, 20, kMaxUnmapBlocks);
        Put32(d, 24, 64);
        Put32(d, 28, kUnmapGranularity);
      }
      Put64(d, 36, kMaxWriteSameBlocks);
      return finish();
    }
    case 0xb1:  // block device characteristics
      d.resize(64, 0);
      Put16(d, 4, 1);  // non-rotating medium
      return finish();
    case 0xb2:  // logical block provisioning
      d.resize(8, 0);
      if (device_->can_unmap()) {
        d[5] = 0x80 | 0x40 | 0x20 | 0x04;  // LBPU, LBPWS, LBPWS10, LBPRZ
        d[6] = 0x02;                       // thin provisioned
      }
      return finish();
    default:
      return InvalidField();
  }
}

ScsiResult ScsiLu::ReadCapacity10() {
  std::vector<uint8_t> d(8, 0);
  const uint64_t last = blocks() == 0 ? 0 : blocks() - 1;
  Put32(d, 0, last > 0xffffffffULL ? 0xffffffffU : static_cast<uint32_t>(last));
  Put32(d, 4, kLogicalBlock);
  return Good(std::move(d));
}

ScsiResult ScsiLu::ReadCapacity16(std::span<const uint8_t> cdb) {
  std::vector<uint8_t> d(32, 0);
  Put64(d, 0, blocks() == 0 ? 0 : blocks() - 1);
  Put32(d, 8, kLogicalBlock);
  // One logical block per physical block: GET LBA STATUS answers from the LBA asked for, and
  // libiscsi's tests expect a physical-block boundary there. The 4 KiB alignment hint stays
  // in the Block Limits page's optimal transfer granularity.
  d[13] = 0;
  if (device_->can_unmap()) d[14] = 0xc0;  // LBPME, LBPRZ
  return Good(std::move(d), Be32(cdb, 10));
}

// One descriptor per run of equally allocated stretches from the starting LBA on, as many as
// the allocation length holds. The device is asked a bounded number of times: a volume's
// stretches are its 64 MiB chunks, each a question to the master.
ScsiResult ScsiLu::GetLbaStatus(std::span<const uint8_t> cdb) {
  constexpr size_t kMaxDescriptors = 32, kMaxQuestions = 64;
  constexpr uint64_t kMaxRunBlocks = 0xffffffffULL;  // the descriptor's 32-bit count
  const uint64_t lba = Be64(cdb, 2);
  const uint32_t alloc = Be32(cdb, 10);
  if (lba >= blocks()) return OutOfRange();
  const size_t room = std::clamp<size_t>(alloc < 8 ? 1 : (alloc - 8) / 16, 1, kMaxDescriptors);
  std::vector<uint8_t> d(8, 0);
  const uint64_t size = blocks() * kLogicalBlock;
  uint64_t pos = lba * kLogicalBlock;
  size_t descriptors = 0;
  bool last_mapped = false;
  for (size_t q = 0; q < kMaxQuestions && pos < size; ++q) {
    auto a = device_->AllocationAt(pos);
    if (!a.ok()) return DeviceError(a.status(), false);
    const uint64_t end =
        std::clamp<uint64_t>(a->end / kLogicalBlock * kLogicalBlock, pos + kLogicalBlock, size);
    const uint64_t add = (end - pos) / kLogicalBlock;
    const size_t count_at = d.size() - 8;  // the last descriptor's count, if there is one
    if (descriptors > 0 && a->mapped == last_mapped && Be32(d, count_at) + add <= kMaxRunBlocks) {
      Put32(d, count_at, static_cast<uint32_t>(Be32(d, count_at) + add));
    } else {
      if (descriptors == room) break;
      d.resize(d.size() + 16, 0);
      Put64(d, d.size() - 16, pos / kLogicalBlock);
      Put32(d, d.size() - 8, static_cast<uint32_t>(std::min(add, kMaxRunBlocks)));
      d[d.size() - 4] = a->mapped ? 0 : 1;  // provisioning status: mapped, deallocated
      ++descriptors;
      last_mapped = a->mapped;
    }
    pos = end;
  }
  Put32(d, 0, static_cast<uint32_t>(d.size() - 4));
  return Good(std::move(d), alloc);
}

ScsiResult ScsiLu::Read(uint64_t lba, uint32_t count) {
  if (!InRange(lba, count)) return OutOfRange();
  if (count > kMaxTransferBlocks) return InvalidField();
  std::vector<uint8_t> d(uint64_t{count} * kLogicalBlock);
  Status s = device_->Read(lba * kLogicalBlock, d);
  if (!s.ok()) return DeviceError(s, false);
  return Good(std::move(d));
}

ScsiResult ScsiLu::Write(uint64_t lba, uint32_t count, std::span<const uint8_t> data, bool fua) {
  if (!InRange(lba, count)) return OutOfRange();
  if (count > kMaxTransferBlocks) return InvalidField();
  // An initiator that sent less than the CDB asks for (its expected length was shorter)
  // gets the whole blocks it sent written, and the transport reports the overflow.
  const uint64_t bytes = std::min<uint64_t>(uint64_t{count} * kLogicalBlock,
                                            data.size() / kLogicalBlock * kLogicalBlock);
  if (bytes == 0) return Good();
  std::shared_lock lock(update_mu_);
  Status s = device_->Write(lba * kLogicalBlock, data.first(bytes));
  if (s.ok() && fua) s = device_->Flush();
  if (!s.ok()) return DeviceError(s, true);
  return Good();
}

ScsiResult ScsiLu::Verify(uint64_t lba, uint32_t count, bool bytchk,
                          std::span<const uint8_t> data) {
  if (!InRange(lba, count)) return OutOfRange();
  if (count > kMaxTransferBlocks) return InvalidField();
  std::vector<uint8_t> d(uint64_t{count} * kLogicalBlock);
  // Reading checks every block's CRC on the chunkserver: that is the medium verification.
  Status s = device_->Read(lba * kLogicalBlock, d);
  if (!s.ok()) return DeviceError(s, false);
  if (bytchk) {
    if (data.size() < d.size()) return CheckCondition(kSenseIllegalRequest, 0x1a, 0x00);
    if (std::memcmp(d.data(), data.data(), d.size()) != 0)
      return CheckCondition(kSenseMiscompare, 0x1d, 0x00);
  }
  return Good();
}

ScsiResult ScsiLu::SyncCache(uint64_t lba, uint32_t count) {
  if (!InRange(lba, count)) return OutOfRange();
  Status s = device_->Flush();
  if (!s.ok()) return DeviceError(s, true);
  return Good();
}

ScsiResult ScsiLu::ModeSense(std::span<const uint8_t> cdb, bool ten) {
  const bool dbd = (cdb[1] & 0x08) != 0;
  const uint8_t pc = cdb[2] >> 6;
  const uint8_t page = cdb[2] & 0x3f;
  const uint8_t subpage = cdb[3];
  const size_t alloc = ten ? Be16(cdb, 7) : cdb[4];
  if (pc == 3) return CheckCondition(kSenseIllegalRequest, 0x39, 0x00);  // saving unsupported
  if (subpage != 0 && subpage != 0xff) return InvalidField();
  const bool changeable = pc == 1;
  std::vector<uint8_t> pages;
  auto add = [&](uint8_t code, uint8_t len, std::initializer_list<std::pair<size_t, uint8_t>> v) {
    const size_t at = pages.size();
    pages.resize(at + 2 + len, 0);
    pages[at] = code;
    pages[at + 1] = len;
    if (!changeable)
      for (auto [i, b] : v)
        pages[at + i] = b;
  };
  const bool all = page == 0x3f;
  if (all || page == 0x08) add(0x08, 0x12, {{2, 0x04}});  // caching: write cache enabled
  if (all || page == 0x0a) add(0x0a, 0x0a, {{3, 0x10}});  // control: unrestricted reordering
  if (all || page == 0x1c) add(0x1c, 0x0a, {});           // informational exceptions
  if (pages.empty()) return InvalidField();
  const size_t header = ten ? 8 : 4;
  const size_t bd = dbd ? 0 : 8;
  std::vector<uint8_t> d(header + bd, 0);
  if (ten) {
    d[3] = 0x10;  // DPOFUA
    Put16(d, 6, static_cast<uint16_t>(bd));
  } else {
    d[2] = 0x10;
    d[3] = static_cast<uint8_t>(bd);
  }
  if (bd != 0) {
    Put32(d, header, static_cast<uint32_t>(std::min<uint64_t>(blocks(), 0xffffffffULL)));
    Put32(d, header + 4, kLogicalBlock);  // density code 0 in the top byte
  }
  d.insert(d.end(), pages.begin(), pages.end());
  if (ten)
    Put16(d, 0, static_cast<uint16_t>(d.size() - 2));
  else
    d[0] = static_cast<uint8_t>(d.size() - 1);
  return Good(std::move(d), alloc);
}

ScsiResult ScsiLu::ReportLuns(std::span<const uint8_t> cdb) {
  if (cdb[2] > 2) return InvalidField();
  const uint32_t alloc = Be32(cdb, 6);
  if (alloc < 16) return InvalidField();
  std::vector<uint8_t> d(16, 0);
  Put32(d, 0, 8);  // one LUN: 0
  return Good(std::move(d), alloc);
}

ScsiResult ScsiLu::Unmap(std::span<const uint8_t> cdb, std::span<const uint8_t> params) {
  if (!device_->can_unmap()) return InvalidOpcode();
  if (cdb[1] & 0x01) return InvalidField();  // ANCHOR is not supported
  if (params.empty()) return Good();
  if (params.size() < 8) return ParamListError();
  const size_t desc_len = Be16(params, 2);
  if (desc_len % 16 != 0 || 8 + desc_len > params.size()) return ParamListError();
  if (desc_len / 16 > 64) return InvalidField();
  for (size_t at = 8; at < 8 + desc_len; at += 16) {
    const uint64_t lba = Be64(params, at);
    const uint32_t count = Be32(params, at + 8);
    if (!InRange(lba, count)) return OutOfRange();
    if (count > kMaxUnmapBlocks) return InvalidField();
  }
  std::shared_lock lock(update_mu_);
  for (size_t at = 8; at < 8 + desc_len; at += 16) {
    const uint64_t lba = Be64(params, at);
    const uint32_t count = Be32(params, at + 8);
    if (count == 0) continue;
    Status s = device_->Unmap(lba * kLogicalBlock, uint64_t{count} * kLogicalBlock);
    if (!s.ok()) return DeviceError(s, true);
  }
  return Good();
}

ScsiResult ScsiLu::WriteSame(uint64_t lba, uint32_t count, bool unmap,
                             std::span<const uint8_t> data) {
  if (count == 0 || count > kMaxWriteSameBlocks) return InvalidField();
  if (unmap && !device_->can_unmap()) return InvalidField();  // LBPWS is not set
  // One block of data-out, or none at all (NDOB: the block is zeros).
  if (!data.empty() && data.size() != kLogicalBlock)
    return CheckCondition(kSenseIllegalRequest, 0x1a, 0x00);
  if (!InRange(lba, count)) return OutOfRange();
  const bool zeros =
      data.empty() || std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
  std::shared_lock lock(update_mu_);
  if (unmap && device_->can_unmap() && zeros) {
    Status s = device_->Unmap(lba * kLogicalBlock, uint64_t{count} * kLogicalBlock);
    if (!s.ok()) return DeviceError(s, true);
    return Good();
  }
  // The block repeated in pieces of up to 1 MiB.
  constexpr uint32_t kPiece = 2048;
  std::vector<uint8_t> buf(uint64_t{std::min(count, kPiece)} * kLogicalBlock, 0);
  if (!data.empty())
    for (size_t at = 0; at < buf.size(); at += kLogicalBlock)
      std::memcpy(buf.data() + at, data.data(), kLogicalBlock);
  for (uint32_t done = 0; done < count;) {
    const uint32_t n = std::min(count - done, kPiece);
    Status s = device_->Write((lba + done) * kLogicalBlock,
                              std::span<const uint8_t>(buf).first(uint64_t{n} * kLogicalBlock));
    if (!s.ok()) return DeviceError(s, true);
    done += n;
  }
  return Good();
}

}  // namespace elk::iscsi
