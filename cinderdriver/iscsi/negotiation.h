#pragma once
// Operational parameters of a session and their negotiation (RFC 7143 sections 6 and 13).
// The initiator offers, the target answers with the result: lists pick the first value we
// support, booleans AND or OR, numbers take the minimum or maximum, declarations are
// stored. What we offer is chosen for throughput: immediate data, unsolicited data when
// the initiator allows it, 1 MiB bursts, 256 KiB data segments.

#include <cstdint>
#include <string>

#include "cinderdriver/iscsi/text_keys.h"

namespace elk::iscsi {

struct SessionParams {
  bool header_digest = false;
  bool data_digest = false;
  bool initial_r2t = true;
  bool immediate_data = true;
  uint32_t max_burst = 262144;
  uint32_t first_burst = 65536;
  uint32_t max_send_data = 8192;    // the initiator's MaxRecvDataSegmentLength
  uint32_t max_recv_data = 262144;  // ours
  uint32_t max_outstanding_r2t = 1;
  uint32_t max_connections = 1;
  uint32_t default_time2wait = 2;
  uint32_t default_time2retain = 0;
  uint32_t error_recovery_level = 0;
  bool data_pdu_in_order = true;
  bool data_sequence_in_order = true;
  bool discovery = false;
};

// What the target would like; the initiator's offers are cut to these.
struct TargetLimits {
  uint32_t max_recv_data = 262144;
  uint32_t max_burst = 1048576;
  uint32_t first_burst = 262144;
  uint32_t max_outstanding_r2t = 1;
  uint32_t max_connections = 1;
};

class Negotiator {
 public:
  explicit Negotiator(TargetLimits limits = {}) : limits_(limits) {
    params_.max_recv_data = limits.max_recv_data;
  }

  // Answers one round of operational keys. Keys the login itself handles (names, session
  // type, authentication) must be taken out before. A malformed value fails the login.
  Result<TextKeys> Answer(const TextKeys& offered);
  // Our declarations not yet sent (MaxRecvDataSegmentLength), to add to the last answer.
  TextKeys Declarations();

  SessionParams& params() { return params_; }
  const SessionParams& params() const { return params_; }

 private:
  Result<std::string> AnswerOne(const std::string& key, const std::string& value);

  TargetLimits limits_;
  SessionParams params_;
  bool declared_recv_ = false;
};

}  // namespace elk::iscsi
