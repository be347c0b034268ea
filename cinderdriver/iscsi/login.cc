// The login phase of a connection: identity, authentication (None or CHAP) and the
// negotiation of operational parameters, ending in the full-feature phase.

#include <atomic>

#include "cinderdriver/iscsi/connection.h"
#include "common/log/log.h"

namespace elk::iscsi {

namespace {

constexpr uint8_t kClassInitiatorError = 0x02;
constexpr uint8_t kDetailAuthFailed = 0x01;
constexpr uint8_t kDetailNotFound = 0x03;
constexpr uint8_t kDetailUnsupportedVersion = 0x05;
constexpr uint8_t kDetailMissingParameter = 0x07;
constexpr uint8_t kDetailSessionDoesNotExist = 0x0a;
constexpr uint8_t kDetailInvalidDuringLogin = 0x0b;

constexpr int kMaxLoginRounds = 32;

std::atomic<uint16_t> next_tsih{1};

bool IsSecurityKey(const std::string& k) {
  return k == "AuthMethod" || k.rfind("CHAP_", 0) == 0;
}
bool IsIdentityKey(const std::string& k) {
  return k == "InitiatorName" || k == "TargetName" || k == "SessionType" || k == "InitiatorAlias";
}
bool ListHas(const std::string& list, const std::string& item) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (list.compare(start, end - start, item) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Status Connection::Login() {
  TextKeys pending;  // keys of a request split over several PDUs (C bit)
  bool done = false;
  for (int round = 0; round < kMaxLoginRounds && !done; ++round) {
    auto req = reader_.Read(in_format_);
    if (!req.ok()) return req.status();
    if (req->opcode() != kOpLoginRequest) {
      Status s = LoginReject(*req, kClassInitiatorError, kDetailInvalidDuringLogin);
      return s.ok() ? Status(Code::kProtocol, "a PDU other than login before full feature") : s;
    }
    ELK_RETURN_IF_ERROR(LoginStep(*req, pending, done));
  }
  if (!done) return Status(Code::kProtocol, "login did not finish");
  const SessionParams& p = negotiator_.params();
  in_format_ = {p.header_digest, p.data_digest, p.max_recv_data};
  out_format_ = {p.header_digest, p.data_digest, p.max_send_data};
  log::Info("iSCSI login from {} ({}) to {}: digests {}/{}, burst {}/{}", peer_, initiator_,
            target_ ? target_->iqn : std::string("discovery"), p.header_digest ? "CRC32C" : "None",
            p.data_digest ? "CRC32C" : "None", p.first_burst, p.max_burst);
  return Status::Ok();
}

Status Connection::FirstLoginPdu(const Pdu& req, const TextKeys& keys) {
  first_login_pdu_ = false;
  std::copy(req.bhs.begin() + 8, req.bhs.begin() + 14, isid_.begin());
  cid_ = req.u16(20);
  stat_sn_ = req.u32(28);  // the initiator's ExpStatSN
  exp_cmd_sn_ = req.u32(24);
  max_cmd_sn_ = req.u32(24) - 1;  // closed until our answer opens it
  if (req.bhs[3] > 0) return LoginReject(req, kClassInitiatorError, kDetailUnsupportedVersion);
  // One connection per session: no connection may join an existing one.
  if (req.u16(14) != 0) return LoginReject(req, kClassInitiatorError, kDetailSessionDoesNotExist);
  initiator_ = FindKey(keys, "InitiatorName");
  if (initiator_.empty()) return LoginReject(req, kClassInitiatorError, kDetailMissingParameter);
  const std::string type = FindKey(keys, "SessionType");
  if (type == "Discovery") {
    negotiator_.params().discovery = true;
    authenticated_ = true;  // discovery needs no credentials
    return Status::Ok();
  }
  if (!type.empty() && type != "Normal")
    return LoginReject(req, kClassInitiatorError, kDetailInvalidDuringLogin);
  const std::string name = FindKey(keys, "TargetName");
  if (name.empty()) return LoginReject(req, kClassInitiatorError, kDetailMissingParameter);
  target_ = targets_.Find(name);
  if (!target_) return LoginReject(req, kClassInitiatorError, kDetailNotFound);
  authenticated_ = !target_->chap.has_value();
  return Status::Ok();
}

Result<TextKeys> Connection::Security(const TextKeys& offered) {
  TextKeys answer;
  const bool need_chap = target_ && target_->chap.has_value();
  const std::string methods = FindKey(offered, "AuthMethod");
  if (!methods.empty()) {
    if (need_chap && ListHas(methods, "CHAP")) {
      answer.emplace_back("AuthMethod", "CHAP");
      chap_step_ = 1;
    } else if (!need_chap && ListHas(methods, "None")) {
      answer.emplace_back("AuthMethod", "None");
    } else {
      return Status(Code::kBadPassword, "no acceptable AuthMethod in " + methods);
    }
  }
  const std::string algorithms = FindKey(offered, "CHAP_A");
  if (!algorithms.empty()) {
    if (chap_step_ != 1 || !ListHas(algorithms, "5"))
      return Status(Code::kBadPassword, "CHAP_A without MD5 (5) or out of turn");
    auto c = ChapChallenge::Make();
    if (!c.ok()) return c.status();
    challenge_ = *c;
    answer.emplace_back("CHAP_A", "5");
    answer.emplace_back("CHAP_I", std::to_string(challenge_->id()));
    answer.emplace_back("CHAP_C", challenge_->challenge_hex());
    chap_step_ = 2;
  }
  const std::string user = FindKey(offered, "CHAP_N");
  const std::string response = FindKey(offered, "CHAP_R");
  if (!user.empty() || !response.empty()) {
    if (chap_step_ != 2 || !challenge_) return Status(Code::kBadPassword, "CHAP_R out of turn");
    if (!FindKey(offered, "CHAP_I").empty() || !FindKey(offered, "CHAP_C").empty())
      return Status(Code::kBadPassword, "mutual CHAP is not offered");
    if (user != target_->chap->user || !challenge_->Verify(target_->chap->secret, response))
      return Status(Code::kBadPassword, "CHAP answer does not match for user " + user);
    authenticated_ = true;
  }
  return answer;
}

Status Connection::LoginStep(const Pdu& req, TextKeys& pending, bool& done) {
  const uint8_t flags = req.flags();
  const bool transit = (flags & 0x80) != 0;
  const bool more = (flags & 0x40) != 0;
  const uint8_t csg = (flags >> 2) & 0x03;
  const uint8_t nsg = flags & 0x03;
  auto keys = ParseTextKeys(req.data);
  if (!keys.ok()) {
    ELK_RETURN_IF_ERROR(LoginReject(req, kClassInitiatorError, kDetailInvalidDuringLogin));
    return keys.status();
  }
  pending.insert(pending.end(), keys->begin(), keys->end());
  if (first_login_pdu_ && !more) {
    ELK_RETURN_IF_ERROR(FirstLoginPdu(req, pending));
    if (initiator_.empty() || (!negotiator_.params().discovery && !target_))
      return Status(Code::kProtocol, "login refused");
  }
  Pdu resp;
  resp.set_opcode(kOpLoginResponse);
  std::copy(isid_.begin(), isid_.end(), resp.bhs.begin() + 8);
  resp.set_itt(req.itt());
  if (more) {  // acknowledge the piece and wait for the rest
    resp.set_flags(static_cast<uint8_t>(csg << 2));
    return Send(resp, true);
  }
  TextKeys offered = std::move(pending);
  pending.clear();
  if (csg == 2 || csg == 3) {
    ELK_RETURN_IF_ERROR(LoginReject(req, kClassInitiatorError, kDetailInvalidDuringLogin));
    return Status(Code::kProtocol, "login in a reserved stage");
  }
  TextKeys answer, operational;
  if (csg == 0) {
    auto a = Security(offered);
    if (!a.ok()) {
      log::Warning("iSCSI login from {} refused: {}", peer_, a.status().ToString());
      ELK_RETURN_IF_ERROR(LoginReject(req, kClassInitiatorError, kDetailAuthFailed));
      return a.status();
    }
    answer = std::move(*a);
  } else if (!authenticated_) {
    ELK_RETURN_IF_ERROR(LoginReject(req, kClassInitiatorError, kDetailAuthFailed));
    return Status(Code::kBadPassword, "operational stage without authentication");
  }
  for (const auto& kv : offered)
    if (!IsSecurityKey(kv.first) && !IsIdentityKey(kv.first)) operational.push_back(kv);
  auto op = negotiator_.Answer(operational);
  if (!op.ok()) {
    ELK_RETURN_IF_ERROR(LoginReject(req, kClassInitiatorError, kDetailInvalidDuringLogin));
    return op.status();
  }
  answer.insert(answer.end(), op->begin(), op->end());
  if (!portal_tag_sent_ && target_) {
    answer.emplace_back("TargetPortalGroupTag", "1");
  }
  portal_tag_sent_ = true;
  const bool can_transit = transit && authenticated_ && nsg > csg && nsg != 2;
  if (csg == 1 || (can_transit && nsg == 3)) {
    auto d = negotiator_.Declarations();
    answer.insert(answer.end(), d.begin(), d.end());
  }
  uint8_t rflags = static_cast<uint8_t>(csg << 2);
  if (can_transit) {
    rflags |= 0x80 | nsg;
    if (nsg == 3) {
      tsih_ = next_tsih.fetch_add(1);
      if (tsih_ == 0) tsih_ = next_tsih.fetch_add(1);
      done = true;
    }
  }
  resp.set_flags(rflags);
  resp.put16(14, tsih_);
  resp.data = EncodeTextKeys(answer);
  return Send(resp, true);
}

Status Connection::LoginReject(const Pdu& req, uint8_t status_class, uint8_t detail) {
  Pdu resp;
  resp.set_opcode(kOpLoginResponse);
  std::copy(req.bhs.begin() + 8, req.bhs.begin() + 14, resp.bhs.begin() + 8);
  resp.set_itt(req.itt());
  resp.bhs[36] = status_class;
  resp.bhs[37] = detail;
  return Send(resp, true);
}

}  // namespace elk::iscsi
