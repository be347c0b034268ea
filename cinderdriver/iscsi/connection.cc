// The full-feature phase of a connection: SCSI commands with their data, NOP, text,
// task management and logout.

#include "cinderdriver/iscsi/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "cinderdriver/iscsi/scsi_lu.h"
#include "common/log/log.h"

namespace elk::iscsi {

namespace {

constexpr uint8_t kRejectNotSupported = 0x05;
constexpr uint8_t kRejectProtocolError = 0x04;
constexpr uint8_t kRejectInvalidField = 0x09;
constexpr uint8_t kResidualOverflow = 0x04;
constexpr uint8_t kResidualUnderflow = 0x02;
// The largest write we buffer for one command (a Linux initiator sends at most the Block
// Limits page's maximum, 4 MiB; QEMU the same).
constexpr uint32_t kMaxWriteBuffer = 16u << 20;

}  // namespace

Connection::Connection(net::UniqueFd fd, std::string peer, const TargetRegistry& targets,
                       TaskPool& pool, PortalInfo portal)
    : fd_(std::move(fd)),
      peer_(std::move(peer)),
      targets_(targets),
      pool_(pool),
      portal_(std::move(portal)),
      negotiator_(portal_.limits) {}

Status Connection::Run() {
  int one = 1;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Status s = Login();
  if (s.ok()) {
    logged_in_ = true;
    s = Serve();
  }
  WaitIdle();
  // A peer's close is the normal end; so is our own Shutdown(), whose caller said why
  // (the portal logs the login deadline, or the target is stopping).
  if (s.code() == Code::kDisconnected || shutting_down_) return Status::Ok();
  return s;
}

void Connection::Shutdown() {
  shutting_down_ = true;
  ::shutdown(fd_.get(), SHUT_RDWR);
}

Status Connection::Send(Pdu& pdu, bool status, bool fill_sn) {
  std::lock_guard lock(send_mu_);
  if (fill_sn) {
    const bool data_in_without_status = pdu.opcode() == kOpDataIn && (pdu.flags() & 0x01) == 0;
    pdu.put32(24, data_in_without_status ? 0 : stat_sn_);
    if (status) ++stat_sn_;
    const uint32_t exp = exp_cmd_sn_.load();
    pdu.put32(28, exp);
    pdu.put32(32, NextMaxCmdSn(exp));
  }
  return WriteAll(fd_.get(), EncodePdu(pdu, out_format_));
}

bool Connection::NoteCmdSn(const Pdu& pdu) {
  if (pdu.immediate()) return true;
  const uint32_t sn = pdu.u32(24);
  const uint32_t exp = exp_cmd_sn_.load();
  const uint32_t max = max_cmd_sn_.load();
  // Serial number arithmetic (RFC 1982): outside [ExpCmdSN, MaxCmdSN] is silently ignored.
  if (static_cast<int32_t>(sn - exp) < 0 || static_cast<int32_t>(max - sn) < 0) {
    log::Warning("iSCSI {}: CmdSN {} outside [{}, {}]: PDU dropped", peer_, sn, exp, max);
    return false;
  }
  exp_cmd_sn_ = sn + 1;  // in order on one connection; a gap moves the window on
  return true;
}

void Connection::WaitIdle() {
  std::unique_lock lock(tasks_mu_);
  tasks_cv_.wait(lock, [this] { return running_ == 0; });
}

Status Connection::Serve() {
  for (;;) {
    auto pdu = reader_.Read(in_format_);
    if (!pdu.ok()) return pdu.status();
    Status s;
    switch (pdu->opcode()) {
      case kOpNopOut:
        s = OnNopOut(*pdu);
        break;
      case kOpScsiCommand:
        s = OnCommand(std::move(*pdu));
        break;
      case kOpDataOut:
        s = OnDataOut(*pdu);
        break;
      case kOpTaskRequest:
        s = OnTaskManagement(*pdu);
        break;
      case kOpTextRequest:
        s = OnText(*pdu);
        break;
      case kOpLogoutRequest:
        return OnLogout(*pdu);
      case kOpSnack:  // needs error recovery level 1, which is not offered
        s = Reject(*pdu, kRejectNotSupported);
        break;
      default:
        s = Reject(*pdu, kRejectProtocolError);
        if (s.ok()) s = Status(Code::kProtocol, "unknown opcode " + std::to_string(pdu->opcode()));
        break;
    }
    if (!s.ok()) return s;
  }
}

Status Connection::OnCommand(Pdu pdu) {
  if (!NoteCmdSn(pdu)) return Status::Ok();
  const uint8_t flags = pdu.flags();
  const bool read = (flags & 0x40) != 0;
  const bool write = (flags & 0x20) != 0;
  const uint32_t edtl = pdu.u32(20);
  const uint32_t itt = pdu.itt();
  std::vector<uint8_t> cdb(pdu.bhs.begin() + 32, pdu.bhs.end());
  // An extended CDB (AHS type 1) continues the 16 bytes of the header.
  if (pdu.ahs.size() >= 4 && pdu.ahs[2] == 0x01) {
    const size_t len = std::min<size_t>(size_t{pdu.ahs[0]} << 8 | pdu.ahs[1], pdu.ahs.size() - 3);
    if (len > 1) cdb.insert(cdb.end(), pdu.ahs.begin() + 4, pdu.ahs.begin() + 3 + len);
  }
  const uint16_t lun = DecodeLun(pdu.lun());
  {  // bound the commands in flight: the initiator waits on TCP meanwhile
    std::unique_lock lock(tasks_mu_);
    tasks_cv_.wait(lock, [this] { return running_ < 2 * portal_.command_window; });
  }
  if (read && !write && target_ && target_->lu) {
    // Reads the volume has in memory are answered here, without a worker's round trip.
    if (auto fast = target_->lu->TryReadFast(lun, cdb)) {
      Respond(itt, edtl, true, 0, *fast);
      return Status::Ok();
    }
  }
  if (!write || edtl == 0) {
    // Room for the answer is kept while it is made; the socket waits meanwhile (only
    // commands already running can free bytes, and they need no PDU from us).
    const uint64_t answer = read ? std::min(edtl, kMaxWriteBuffer) : 0;
    if (answer > 0) {
      std::unique_lock lock(tasks_mu_);
      tasks_cv_.wait(lock, [&] { return dispatched_.load() == 0 || Fits(answer); });
    }
    Hold(answer);
    Dispatch(lun, std::move(cdb), itt, edtl, read, {}, answer);
    return Status::Ok();
  }
  if (edtl > kMaxWriteBuffer) {
    // Answered at once; data-out the initiator still sends for it is dropped.
    Respond(itt, edtl, false, edtl, CheckCondition(kSenseIllegalRequest, 0x24, 0x00));
    return Status::Ok();
  }
  const SessionParams& p = negotiator_.params();
  WriteTask t;
  t.itt = itt;
  t.lun = lun;
  t.length = edtl;
  t.cdb = std::move(cdb);
  const auto immediate = static_cast<uint32_t>(std::min<size_t>(pdu.data.size(), edtl));
  t.received = immediate;
  t.unsolicited_open = !p.initial_r2t && (flags & 0x80) == 0;
  t.requested = t.unsolicited_open ? std::max(immediate, std::min(edtl, p.first_burst)) : immediate;
  // Until granted, only what the initiator may send unasked is held.
  t.buffer.resize(t.requested);
  std::memcpy(t.buffer.data(), pdu.data.data(), immediate);
  std::lock_guard lock(writes_mu_);
  Hold(t.buffer.size());
  if (auto old = writes_.find(itt); old != writes_.end()) DropWrite(old);  // ITT reused
  if (t.received >= edtl) {
    const uint64_t held = t.buffer.size();
    Dispatch(lun, std::move(t.cdb), itt, edtl, read, std::move(t.buffer), held);
    return Status::Ok();
  }
  auto [it, inserted] = writes_.emplace(itt, std::move(t));
  if (!it->second.unsolicited_open) return AskForRest(it->second);
  return Status::Ok();
}

Status Connection::SendNextR2T(WriteTask& t) {
  if (t.requested >= t.length) return Status::Ok();
  const uint32_t len = std::min<uint32_t>(t.length - t.requested, negotiator_.params().max_burst);
  Pdu r2t;
  r2t.set_opcode(kOpR2T);
  r2t.set_flags(0x80);
  r2t.set_lun(EncodeLun(t.lun));
  r2t.set_itt(t.itt);
  t.ttt = next_ttt_++;
  if (next_ttt_ == kReservedTag) next_ttt_ = 1;
  r2t.put32(20, t.ttt);
  r2t.put32(36, t.r2t_sn++);
  r2t.put32(40, t.requested);
  r2t.put32(44, len);
  t.requested += len;
  t.r2t_open = true;
  t.r2t_data_sn = 0;
  return Send(r2t, false);
}

Status Connection::OnDataOut(const Pdu& pdu) {
  std::lock_guard lock(writes_mu_);
  auto it = writes_.find(pdu.itt());
  if (it == writes_.end()) return Status::Ok();  // for a command already answered
  WriteTask& t = it->second;
  const uint32_t offset = pdu.u32(40);
  if (offset > t.buffer.size() || pdu.data.size() > t.buffer.size() - offset) {
    ELK_RETURN_IF_ERROR(Reject(pdu, kRejectInvalidField));
    return Status(Code::kProtocol, "data-out beyond the expected transfer length");
  }
  const bool unsolicited = pdu.u32(20) == kReservedTag;
  const uint32_t want_sn = unsolicited ? t.unsolicited_data_sn++ : t.r2t_data_sn++;
  if (pdu.u32(36) != want_sn) {
    // Error recovery level 0: a lost or reordered data PDU ends the connection.
    ELK_RETURN_IF_ERROR(Reject(pdu, kRejectProtocolError));
    return Status(Code::kProtocol, "data-out DataSN " + std::to_string(pdu.u32(36)) +
                                       ", expected " + std::to_string(want_sn));
  }
  std::memcpy(t.buffer.data() + offset, pdu.data.data(), pdu.data.size());
  t.received += static_cast<uint32_t>(pdu.data.size());
  if (pdu.final_bit()) {
    if (unsolicited)
      t.unsolicited_open = false;
    else
      t.r2t_open = false;
  }
  if (t.received >= t.length) {
    WriteTask done = std::move(t);
    writes_.erase(it);
    if (done.granted) --granted_;
    if (done.queued)
      grant_queue_.erase(std::find(grant_queue_.begin(), grant_queue_.end(), done.itt));
    const uint64_t held = done.buffer.size();
    Dispatch(done.lun, std::move(done.cdb), done.itt, done.length, false, std::move(done.buffer),
             held);
    return Status::Ok();
  }
  if (!t.unsolicited_open && !t.r2t_open) return AskForRest(t);
  return Status::Ok();
}

void Connection::Dispatch(uint16_t lun, std::vector<uint8_t> cdb, uint32_t itt, uint32_t edtl,
                          bool read, std::vector<uint8_t> data_out, uint64_t held) {
  {
    std::lock_guard lock(tasks_mu_);
    ++running_;
    running_itts_.insert(itt);
  }
  dispatched_.fetch_add(1);
  std::shared_ptr<ScsiLu> lu = target_ ? target_->lu : nullptr;
  pool_.Post([self = shared_from_this(), lu, lun, cdb = std::move(cdb), itt, edtl, read,
              data_out = std::move(data_out), held]() mutable {
    ScsiResult r =
        lu ? lu->Execute(lun, cdb, data_out) : CheckCondition(kSenseIllegalRequest, 0x25, 0x00);
    std::vector<uint8_t>().swap(data_out);
    bool aborted = false;
    {
      std::lock_guard lock(self->tasks_mu_);
      aborted = self->aborted_.erase(itt) > 0;
      self->running_itts_.erase(itt);
    }
    bool finished = false;
    auto finish = [&] {
      if (!finished) self->FinishDispatched(held);
      finished = true;
    };
    if (!aborted) self->Respond(itt, edtl, read, DataOutLength(cdb), r, finish);
    finish();
    {
      std::lock_guard lock(self->tasks_mu_);
      --self->running_;
    }
    self->tasks_cv_.notify_all();
  });
}

void Connection::Respond(uint32_t itt, uint32_t edtl, bool read, uint64_t data_out_needed,
                         const ScsiResult& r, const std::function<void()>& before_status) {
  uint8_t residual_flag = 0;
  uint32_t residual = 0;
  const uint64_t moved = read ? r.data_in.size() : data_out_needed;
  if (moved > edtl) {
    residual_flag = kResidualOverflow;
    residual = static_cast<uint32_t>(std::min<uint64_t>(moved - edtl, UINT32_MAX));
  } else if (moved < edtl && (read || data_out_needed > 0)) {
    residual_flag = kResidualUnderflow;
    residual = static_cast<uint32_t>(edtl - moved);
  }
  const auto to_send = static_cast<uint32_t>(std::min<uint64_t>(r.data_in.size(), edtl));
  if (r.status == kStatusGood && read && to_send > 0) {
    const uint32_t piece = out_format_.max_recv_data;
    uint32_t data_sn = 0;
    for (uint32_t at = 0; at < to_send; at += piece) {
      const uint32_t n = std::min(piece, to_send - at);
      const bool last = at + n >= to_send;
      Pdu d;
      d.set_opcode(kOpDataIn);
      d.set_flags(last ? static_cast<uint8_t>(0x80 | 0x01 | residual_flag) : 0);
      d.bhs[3] = last ? r.status : 0;
      d.set_itt(itt);
      d.put32(20, kReservedTag);
      d.put32(36, data_sn++);
      d.put32(40, at);
      if (last) d.put32(44, residual);
      if (last && before_status) before_status();
      d.data.assign(r.data_in.begin() + at, r.data_in.begin() + at + n);
      if (!Send(d, last).ok()) return;  // the connection is gone; the reader sees it too
    }
    return;
  }
  Pdu resp;
  resp.set_opcode(kOpScsiResponse);
  resp.set_flags(static_cast<uint8_t>(0x80 | residual_flag));
  resp.bhs[3] = r.status;
  resp.set_itt(itt);
  resp.put32(44, residual);
  if (r.status != kStatusGood && !r.sense.empty()) {
    resp.data.push_back(static_cast<uint8_t>(r.sense.size() >> 8));
    resp.data.push_back(static_cast<uint8_t>(r.sense.size()));
    resp.data.insert(resp.data.end(), r.sense.begin(), r.sense.end());
  }
  if (before_status) before_status();
  (void)Send(resp, true);
}

Status Connection::OnNopOut(const Pdu& pdu) {
  if (!NoteCmdSn(pdu)) return Status::Ok();
  if (pdu.itt() == kReservedTag) return Status::Ok();  // an answer to our NOP-In
  Pdu nop;
  nop.set_opcode(kOpNopIn);
  nop.set_flags(0x80);
  nop.set_lun(pdu.lun());
  nop.set_itt(pdu.itt());
  nop.put32(20, kReservedTag);
  nop.data.assign(pdu.data.begin(),
                  pdu.data.begin() + std::min<size_t>(pdu.data.size(), out_format_.max_recv_data));
  return Send(nop, true);
}

TextKeys Connection::SendTargets(const std::string& which) const {
  TextKeys out;
  for (const auto& t : targets_.All()) {
    if (target_ && t->iqn != target_->iqn) continue;  // a normal session sees its own
    if (which != "All" && !which.empty() && which != t->iqn) continue;
    out.emplace_back("TargetName", t->iqn);
    out.emplace_back("TargetAddress", portal_.address + ",1");
  }
  return out;
}

Status Connection::OnText(const Pdu& pdu) {
  if (!NoteCmdSn(pdu)) return Status::Ok();
  auto keys = ParseTextKeys(pdu.data);
  if (!keys.ok()) {
    ELK_RETURN_IF_ERROR(Reject(pdu, kRejectProtocolError));
    return keys.status();
  }
  TextKeys answer;
  for (const auto& [k, v] : *keys) {
    if (k == "SendTargets") {
      auto list = SendTargets(v);
      answer.insert(answer.end(), list.begin(), list.end());
    } else {
      answer.emplace_back(k, "NotUnderstood");
    }
  }
  Pdu resp;
  resp.set_opcode(kOpTextResponse);
  resp.set_flags(0x80);
  resp.set_itt(pdu.itt());
  resp.put32(20, kReservedTag);
  resp.data = EncodeTextKeys(answer);
  if (resp.data.size() > out_format_.max_recv_data) resp.data.resize(out_format_.max_recv_data);
  return Send(resp, true);
}

Status Connection::OnTaskManagement(const Pdu& pdu) {
  if (!NoteCmdSn(pdu)) return Status::Ok();
  const uint8_t function = pdu.flags() & 0x7f;
  uint8_t response = 0;  // function complete
  switch (function) {
    case 1: {  // ABORT TASK
      // A task still gathering data is dropped; a running one finishes unanswered; one
      // already answering (or answered) "does not exist", which tells the initiator that
      // its answer stands.
      const uint32_t ref = pdu.u32(20);
      bool found = false;
      {
        std::lock_guard wlock(writes_mu_);
        if (auto w = writes_.find(ref); w != writes_.end()) {
          DropWrite(w);
          found = true;
          ELK_RETURN_IF_ERROR(GrantWaiting());
        }
      }
      {
        std::unique_lock lock(tasks_mu_);
        if (running_itts_.count(ref) > 0) {
          aborted_.insert(ref);
          found = true;
          tasks_cv_.wait(lock, [&] { return running_itts_.count(ref) == 0; });
        }
      }
      response = found ? 0 : 1;
      break;
    }
    case 2:  // ABORT TASK SET
    case 4:  // CLEAR TASK SET
    case 5:  // LOGICAL UNIT RESET
    case 6:  // TARGET WARM RESET
    {
      std::lock_guard wlock(writes_mu_);
      while (!writes_.empty())
        DropWrite(writes_.begin());
    }
      WaitIdle();
      break;
    case 8:  // TASK REASSIGN needs error recovery level 2
      response = 4;
      break;
    default:
      response = 5;  // not supported
      break;
  }
  Pdu resp;
  resp.set_opcode(kOpTaskResponse);
  resp.set_flags(0x80);
  resp.bhs[2] = response;
  resp.set_itt(pdu.itt());
  return Send(resp, true);
}

Status Connection::OnLogout(const Pdu& pdu) {
  if (!NoteCmdSn(pdu)) return Status::Ok();
  WaitIdle();
  Pdu resp;
  resp.set_opcode(kOpLogoutResponse);
  resp.set_flags(0x80);
  resp.set_itt(pdu.itt());
  ELK_RETURN_IF_ERROR(Send(resp, true));
  log::Info("iSCSI logout of {} from {}", initiator_, peer_);
  return Status::Ok();
}

Status Connection::Reject(const Pdu& pdu, uint8_t reason) {
  Pdu rej;
  rej.set_opcode(kOpReject);
  rej.set_flags(0x80);
  rej.bhs[2] = reason;
  rej.set_itt(kReservedTag);
  rej.data.assign(pdu.bhs.begin(), pdu.bhs.end());
  return Send(rej, true);
}

}  // namespace elk::iscsi
