#pragma once
// One iSCSI connection (and, since MaxConnections is 1, its session): the login phase
// (login.cc) and the full-feature phase (connection.cc). A reader thread reads PDUs in
// order; SCSI commands, once their data-out is complete, run on the TaskPool and send
// their own answers. Sending is serialised by a mutex, which also assigns StatSN.
//
// Error recovery level 0: a protocol violation ends the connection, never the target.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cinderdriver/iscsi/chap.h"
#include "cinderdriver/iscsi/negotiation.h"
#include "cinderdriver/iscsi/pdu.h"
#include "cinderdriver/iscsi/target_registry.h"
#include "cinderdriver/iscsi/task_pool.h"
#include "common/net/unique_fd.h"

namespace elk::iscsi {

// The bytes of command data the target holds (write buffers, read answers being made),
// shared by every connection of a portal.
struct HeldBytes {
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> peak{0};  // the most held at once (tests watch the bound)
  uint64_t limit = 1ull << 30;
};

struct PortalInfo {
  std::string address;  // "ip:port" given in SendTargets answers
  TargetLimits limits;
  uint32_t command_window = 128;  // commands the initiator may have outstanding
  // Bytes of command data one connection may hold before it is throttled (see
  // buffer_budget.cc), and the portal's total.
  uint64_t connection_bytes = 64ull << 20;
  std::shared_ptr<HeldBytes> total = std::make_shared<HeldBytes>();
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::UniqueFd fd, std::string peer, const TargetRegistry& targets, TaskPool& pool,
             PortalInfo portal);
  // Serves until logout, a protocol error or Shutdown(); returns why it ended.
  Status Run();
  // Wakes Run() from another thread (target stopping).
  void Shutdown();
  // Bytes of command data this connection holds now (tests watch the bound).
  uint64_t held_bytes() const { return held_.load(); }
  // The most it has held at once.
  uint64_t peak_held_bytes() const { return peak_held_.load(); }
  const std::string& peer() const { return peer_; }
  // The login phase has ended well (the portal shuts down those that take too long).
  bool logged_in() const { return logged_in_.load(); }

 private:
  struct WriteTask {
    uint32_t itt = 0;
    uint16_t lun = 0;
    uint32_t length = 0;  // the expected data-out length (EDTL)
    std::vector<uint8_t> cdb;
    std::vector<uint8_t> buffer;  // the expected data-out, filled as it comes
    uint32_t received = 0;
    uint32_t requested = 0;  // bytes asked for so far (unsolicited allowance + R2Ts)
    bool unsolicited_open = false;
    uint32_t r2t_sn = 0;
    uint32_t ttt = 0;
    bool r2t_open = false;
    uint32_t unsolicited_data_sn = 0;  // DataSN expected next in each sequence
    uint32_t r2t_data_sn = 0;
    // The whole transfer is held (buffer at full size) and R2Ts may go out; before, the
    // buffer holds only what the initiator may send unasked.
    bool granted = false;
    bool queued = false;  // waits in grant_queue_ for room in the budget
  };

  // Login (login.cc).
  Status Login();
  Status LoginStep(const Pdu& req, TextKeys& keys, bool& done);
  Status LoginReject(const Pdu& req, uint8_t status_class, uint8_t detail);
  Result<TextKeys> Security(const TextKeys& offered);
  Status FirstLoginPdu(const Pdu& req, const TextKeys& keys);

  // Full-feature phase (connection.cc).
  Status Serve();
  Status OnCommand(Pdu pdu);
  Status OnDataOut(const Pdu& pdu);
  Status OnNopOut(const Pdu& pdu);
  Status OnText(const Pdu& pdu);
  Status OnTaskManagement(const Pdu& pdu);
  Status OnLogout(const Pdu& pdu);
  Status Reject(const Pdu& pdu, uint8_t reason);
  Status SendNextR2T(WriteTask& task);
  // Runs a command on the pool; `held` bytes (its data-out, or the room kept for its
  // answer) go back to the budget when its status is sent.
  void Dispatch(uint16_t lun, std::vector<uint8_t> cdb, uint32_t itt, uint32_t edtl, bool read,
                std::vector<uint8_t> data_out, uint64_t held);
  // Sends the answer; `before_status` runs just before the PDU that carries the status
  // (and so the MaxCmdSN the initiator acts on).
  void Respond(uint32_t itt, uint32_t edtl, bool read, uint64_t data_out_needed,
               const ScsiResult& r, const std::function<void()>& before_status = {});
  // A command run on the pool is done with its bytes: they go back and waiting writes
  // may be granted.
  void FinishDispatched(uint64_t held);
  // False when a non-immediate PDU's CmdSN is outside the window: it is dropped.
  bool NoteCmdSn(const Pdu& pdu);

  // The byte budget (buffer_budget.cc). Hold/Release count bytes on this connection and
  // in the portal's total; Fits says whether `more` bytes stay within both.
  void Hold(uint64_t n);
  void Release(uint64_t n);
  bool Fits(uint64_t more) const;
  // A write whose unsolicited part is in asks for its whole transfer: R2Ts go out at once
  // when it fits, else it waits in line. Caller holds writes_mu_.
  Status AskForRest(WriteTask& task);
  // Grants waiting writes, oldest first, while they fit (or while nothing else could free
  // bytes). Caller holds writes_mu_.
  Status GrantWaiting();
  // Drops a write still gathering data (aborted), giving back its bytes. Caller holds
  // writes_mu_.
  void DropWrite(std::map<uint32_t, WriteTask>::iterator it);
  // The MaxCmdSN to advertise: the window opens only as far as the budget has room for
  // each new command's unsolicited data. Caller holds send_mu_.
  uint32_t NextMaxCmdSn(uint32_t exp);
  void WaitIdle();
  TextKeys SendTargets(const std::string& which) const;

  // Sends one PDU, filling StatSN (advanced when `status`), ExpCmdSN and MaxCmdSN.
  Status Send(Pdu& pdu, bool status, bool fill_sn = true);

  net::UniqueFd fd_;
  PduReader reader_{fd_.get()};
  std::string peer_;
  const TargetRegistry& targets_;
  TaskPool& pool_;
  PortalInfo portal_;
  Negotiator negotiator_;

  // Session state fixed at login.
  std::shared_ptr<const Target> target_;  // null in a discovery session
  std::string initiator_;
  std::array<uint8_t, 6> isid_{};
  uint16_t tsih_ = 0;
  uint16_t cid_ = 0;
  bool first_login_pdu_ = true;
  bool portal_tag_sent_ = false;  // the first answer carries TargetPortalGroupTag
  bool authenticated_ = false;
  int chap_step_ = 0;  // 0 none, 1 CHAP chosen, 2 challenge sent
  std::optional<ChapChallenge> challenge_;
  PduFormat in_format_;   // what we read
  PduFormat out_format_;  // what we write

  // Writes gathering data, by ITT; the reader thread and (granting after a release) the
  // workers touch them under writes_mu_.
  std::mutex writes_mu_;
  std::map<uint32_t, WriteTask> writes_;
  std::deque<uint32_t> grant_queue_;  // ITTs waiting for room, oldest first
  uint32_t granted_ = 0;              // writes granted and still gathering
  uint32_t next_ttt_ = 1;

  std::atomic<uint64_t> held_{0};
  std::atomic<uint64_t> peak_held_{0};
  std::atomic<uint32_t> max_cmd_sn_{0};  // the highest MaxCmdSN advertised

  std::mutex send_mu_;
  uint32_t stat_sn_ = 0;
  std::atomic<uint32_t> exp_cmd_sn_{0};

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  uint32_t running_ = 0;                 // commands on the pool
  std::atomic<uint32_t> dispatched_{0};  // of those, not yet done with their bytes
  std::set<uint32_t> running_itts_;      // not yet answering
  std::set<uint32_t> aborted_;           // to finish without an answer
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> logged_in_{false};
};

}  // namespace elk::iscsi
