#include "master/ha/candidate_board.h"

#include <charconv>
#include <tuple>

namespace elk::master::ha {
namespace {

bool ParseNumber(std::string_view text, uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

bool Newer(const HeldMetadata& a, const HeldMetadata& b) {
  return std::tie(a.term, a.version) > std::tie(b.term, b.version);
}

std::string HeldValue(const HeldMetadata& held) {
  return std::to_string(held.term) + " " + std::to_string(held.version);
}

std::optional<HeldMetadata> ParseHeld(const std::string& value) {
  const size_t space = value.find(' ');
  if (space == std::string::npos) return std::nullopt;
  HeldMetadata held;
  std::string_view v(value);
  if (!ParseNumber(v.substr(0, space), held.term)) return std::nullopt;
  if (!ParseNumber(v.substr(space + 1), held.version)) return std::nullopt;
  return held;
}

CandidateBoard::CandidateBoard(EtcdClient& client, const std::string& prefix, std::string node_id,
                               int64_t ttl_seconds)
    : client_(client),
      prefix_(prefix + "candidates/"),
      node_id_(std::move(node_id)),
      ttl_(ttl_seconds) {}

Status CandidateBoard::Announce(const HeldMetadata& held) {
  // A lease granted once per free-key episode: it is not kept alive, so an entry lasts at
  // most a TTL after its candidate last granted one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (lease_ == 0) {
      auto lease = client_.GrantLease(ttl_);
      if (!lease.ok()) return lease.status();
      lease_ = lease->id;
    }
    Status put = client_.Put(prefix_ + node_id_, HeldValue(held), lease_);
    if (put.ok()) return put;
    lease_ = 0;  // expired (etcd: "requested lease not found"), or unknown: a new one
    if (attempt == 1) return put;
  }
  return Status::Ok();
}

Result<std::optional<BetterCandidate>> CandidateBoard::Better(const HeldMetadata& held) {
  auto entries = client_.GetPrefix(prefix_);
  if (!entries.ok()) return entries.status();
  std::optional<BetterCandidate> best;
  for (const KeyValue& kv : *entries) {
    const std::string node = kv.key.substr(prefix_.size());
    if (node == node_id_) continue;
    auto theirs = ParseHeld(kv.value);
    if (!theirs || !Newer(*theirs, best ? best->held : held)) continue;
    best = BetterCandidate{node, *theirs};
  }
  return best;
}

void CandidateBoard::Withdraw() {
  if (lease_ == 0) return;
  // Unrevoked (etcd unreachable), the entry still goes with the lease's TTL.
  (void)client_.RevokeLease(lease_);
  lease_ = 0;
}

}  // namespace elk::master::ha
