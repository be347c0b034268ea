#include "cinderdriver/iscsi/negotiation.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace elk::iscsi {

namespace {

Result<bool> ParseBool(const std::string& key, const std::string& v) {
  if (v == "Yes") return true;
  if (v == "No") return false;
  return Status(Code::kProtocol, key + ": not Yes or No: " + v);
}

Result<uint32_t> ParseNumber(const std::string& key, const std::string& v, uint32_t lo,
                             uint32_t hi) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi)
    return Status(Code::kProtocol, key + ": bad number: " + v);
  return static_cast<uint32_t>(n);
}

const char* YesNo(bool b) {
  return b ? "Yes" : "No";
}

// The first of the offered digests we support.
std::string PickDigest(const std::string& offered, bool* use_crc) {
  std::stringstream in(offered);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item == "None") {
      *use_crc = false;
      return item;
    }
    if (item == "CRC32C") {
      *use_crc = true;
      return item;
    }
  }
  return "Reject";
}

bool IrrelevantInDiscovery(const std::string& key) {
  return key == "InitialR2T" || key == "ImmediateData" || key == "MaxBurstLength" ||
         key == "FirstBurstLength" || key == "MaxOutstandingR2T" || key == "MaxConnections" ||
         key == "DataPDUInOrder" || key == "DataSequenceInOrder";
}

}  // namespace

Result<std::string> Negotiator::AnswerOne(const std::string& key, const std::string& v) {
  SessionParams& p = params_;
  if (params_.discovery && IrrelevantInDiscovery(key)) return std::string("Irrelevant");
  if (key == "HeaderDigest") return PickDigest(v, &p.header_digest);
  if (key == "DataDigest") return PickDigest(v, &p.data_digest);
  if (key == "InitialR2T") {  // OR: we don't need it
    auto b = ParseBool(key, v);
    if (!b.ok()) return b.status();
    p.initial_r2t = *b;
    return std::string(YesNo(p.initial_r2t));
  }
  if (key == "ImmediateData" || key == "DataPDUInOrder" || key == "DataSequenceInOrder") {
    auto b = ParseBool(key, v);
    if (!b.ok()) return b.status();
    if (key == "ImmediateData") p.immediate_data = *b;  // AND with our Yes
    // DataPDUInOrder / DataSequenceInOrder are OR with our Yes: always Yes.
    return std::string(key == "ImmediateData" ? YesNo(*b) : "Yes");
  }
  if (key == "IFMarker" || key == "OFMarker") return std::string("No");  // AND with our No
  if (key == "MaxRecvDataSegmentLength") {
    auto n = ParseNumber(key, v, 512, 16777215);
    if (!n.ok()) return n.status();
    p.max_send_data = *n;
    return std::string();  // declarative: no answer, ours is declared separately
  }
  struct MinKey {
    const char* name;
    uint32_t* field;
    uint32_t ours, lo, hi;
  };
  const MinKey mins[] = {
      {"MaxBurstLength", &p.max_burst, limits_.max_burst, 512, 16777215},
      {"FirstBurstLength", &p.first_burst, limits_.first_burst, 512, 16777215},
      {"MaxOutstandingR2T", &p.max_outstanding_r2t, limits_.max_outstanding_r2t, 1, 65535},
      {"MaxConnections", &p.max_connections, limits_.max_connections, 1, 65535},
      {"DefaultTime2Retain", &p.default_time2retain, 0, 0, 3600},
      {"ErrorRecoveryLevel", &p.error_recovery_level, 0, 0, 2},
  };
  for (const MinKey& m : mins) {
    if (key != m.name) continue;
    auto n = ParseNumber(key, v, m.lo, m.hi);
    if (!n.ok()) return n.status();
    *m.field = std::min(*n, m.ours);
    return std::to_string(*m.field);
  }
  if (key == "DefaultTime2Wait") {
    auto n = ParseNumber(key, v, 0, 3600);
    if (!n.ok()) return n.status();
    p.default_time2wait = std::max(*n, p.default_time2wait);
    return std::to_string(p.default_time2wait);
  }
  if (key == "InitiatorAlias") return std::string();
  return std::string("NotUnderstood");
}

Result<TextKeys> Negotiator::Answer(const TextKeys& offered) {
  TextKeys answer;
  for (const auto& [key, value] : offered) {
    // An initiator's own answers to keys we offered need no reply.
    if (value == "NotUnderstood" || value == "Irrelevant" || value == "Reject") continue;
    auto a = AnswerOne(key, value);
    if (!a.ok()) return a.status();
    if (!a->empty()) answer.emplace_back(key, *a);
  }
  params_.first_burst = std::min(params_.first_burst, params_.max_burst);
  return answer;
}

TextKeys Negotiator::Declarations() {
  TextKeys out;
  if (!declared_recv_) {
    declared_recv_ = true;
    out.emplace_back("MaxRecvDataSegmentLength", std::to_string(params_.max_recv_data));
  }
  return out;
}

}  // namespace elk::iscsi
