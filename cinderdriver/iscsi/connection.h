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

struct PortalInfo {
  std::string address;  // "ip:port" given in SendTargets answers
  TargetLimits limits;
  uint32_t command_window = 128;  // commands the initiator may have outstanding
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::UniqueFd fd, std::string peer, const TargetRegistry& targets, TaskPool& pool,
             PortalInfo portal);
  // Serves until logout, a protocol error or Shutdown(); returns why it ended.
  Status Run();
  // Wakes Run() from another thread (target stopping).
  void Shutdown();
  const std::string& peer() const { return peer_; }
  // The login phase has ended well (the portal shuts down those that take too long).
  bool logged_in() const { return logged_in_.load(); }

 private:
  struct WriteTask {
    uint32_t itt = 0;
    uint16_t lun = 0;
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
  void Dispatch(uint16_t lun, std::vector<uint8_t> cdb, uint32_t itt, uint32_t edtl, bool read,
                std::vector<uint8_t> data_out);
  void Respond(uint32_t itt, uint32_t edtl, bool read, uint64_t data_out_needed,
               const ScsiResult& r);
  // False when a non-immediate PDU's CmdSN is outside the window: it is dropped.
  bool NoteCmdSn(const Pdu& pdu);
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

  std::map<uint32_t, WriteTask> writes_;  // by ITT, only the reader thread touches it
  uint32_t next_ttt_ = 1;

  std::mutex send_mu_;
  uint32_t stat_sn_ = 0;
  std::atomic<uint32_t> exp_cmd_sn_{0};

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  uint32_t running_ = 0;             // commands on the pool
  std::set<uint32_t> running_itts_;  // not yet answering
  std::set<uint32_t> aborted_;       // to finish without an answer
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> logged_in_{false};
};

}  // namespace elk::iscsi
