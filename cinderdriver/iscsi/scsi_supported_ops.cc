// REPORT SUPPORTED OPERATION CODES (SPC-4 6.35): the commands this unit carries out, from
// one table, so the report cannot claim a command the dispatcher refuses (scsi_lu_test
// checks each listed command is not answered "invalid opcode").

#include <optional>

#include "cinderdriver/iscsi/scsi_codec.h"
#include "cinderdriver/iscsi/scsi_lu.h"

namespace elk::iscsi {

using namespace scsi;  // NOLINT(google-build-using-namespace): this unit's own helpers

namespace {

struct OpInfo {
  uint8_t op;
  std::optional<uint8_t> action;  // for commands chosen by a service action
  bool needs_unmap = false;       // offered only on a thin (unmappable) unit
};

constexpr OpInfo kOps[] = {
    {kTestUnitReady, {}},
    {kRequestSense, {}},
    {kRead6, {}},
    {kWrite6, {}},
    {kInquiry, {}},
    {kModeSelect6, {}},
    {kModeSense6, {}},
    {kStartStopUnit, {}},
    {kPreventAllow, {}},
    {kReadCapacity10, {}},
    {kRead10, {}},
    {kWrite10, {}},
    {kWriteVerify10, {}},
    {kVerify10, {}},
    {kPreFetch10, {}},
    {kSyncCache10, {}},
    {kWriteSame10, {}},
    {kUnmap, {}, true},
    {kModeSelect10, {}},
    {kModeSense10, {}},
    {kRead16, {}},
    {kCompareAndWrite, {}},
    {kWrite16, {}},
    {kOrWrite16, {}},
    {kWriteVerify16, {}},
    {kVerify16, {}},
    {kPreFetch16, {}},
    {kSyncCache16, {}},
    {kWriteSame16, {}},
    {kServiceIn16, kReadCapacity16Action},
    {kServiceIn16, kGetLbaStatusAction, true},
    {kReportLuns, {}},
    {kMaintenanceIn, kReportOpcodesAction},
    {kRead12, {}},
    {kWrite12, {}},
    {kWriteVerify12, {}},
    {kVerify12, {}},
};

// CDB USAGE DATA: the opcode, the service action's bits where there is one, every other
// field as examined, the CONTROL byte as not (no NACA, no linking).
std::vector<uint8_t> Usage(const OpInfo& o) {
  std::vector<uint8_t> u(CdbSize(o.op), 0xff);
  u[0] = o.op;
  if (o.action) u[1] = 0x1f;
  u.back() = 0x00;
  return u;
}

// A command timeouts descriptor (RCTD): no timeouts are specified.
void AddTimeouts(std::vector<uint8_t>& d) {
  d.insert(d.end(), {0x00, 0x0a});
  d.resize(d.size() + 10, 0);
}

}  // namespace

ScsiResult ScsiLu::ReportSupportedOpcodes(std::span<const uint8_t> cdb) {
  const bool rctd = (cdb[2] & 0x80) != 0;
  const uint8_t options = cdb[2] & 0x07;
  const uint8_t op = cdb[3];
  const uint16_t action = Be16(cdb, 4);
  const uint32_t alloc = Be32(cdb, 6);
  auto offered = [&](const OpInfo& o) { return !o.needs_unmap || device_->can_unmap(); };
  if (options == 0) {
    std::vector<uint8_t> d(4, 0);
    for (const OpInfo& o : kOps) {
      if (!offered(o)) continue;
      const uint8_t flags = (rctd ? 0x02 : 0x00) | (o.action ? 0x01 : 0x00);  // CTDP, SERVACTV
      d.insert(d.end(), {o.op, 0, 0, o.action.value_or(0), 0, flags, 0,
                         static_cast<uint8_t>(CdbSize(o.op))});
      if (rctd) AddTimeouts(d);
    }
    Put32(d, 0, static_cast<uint32_t>(d.size() - 4));
    return Good(std::move(d), alloc);
  }
  if (options > 3) return InvalidField();
  const OpInfo* found = nullptr;
  for (const OpInfo& o : kOps) {
    if (o.op != op || !offered(o)) continue;
    if (options == 1 && o.action) return InvalidField();   // must be asked with its action
    if (options == 2 && !o.action) return InvalidField();  // has no service actions
    if (!o.action || *o.action == action) found = &o;
  }
  std::vector<uint8_t> d(4, 0);
  if (rctd) d[1] = 0x80;  // CTDP
  if (found == nullptr) {
    d[1] |= 0x01;  // SUPPORT 001b: not supported
    return Good(std::move(d), alloc);
  }
  d[1] |= 0x03;  // SUPPORT 011b: as the standard says
  const std::vector<uint8_t> usage = Usage(*found);
  Put16(d, 2, static_cast<uint16_t>(usage.size()));
  d.insert(d.end(), usage.begin(), usage.end());
  if (rctd) AddTimeouts(d);
  return Good(std::move(d), alloc);
}

}  // namespace elk::iscsi
