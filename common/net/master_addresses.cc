#include "common/net/master_addresses.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace elk::net {
namespace {

bool IsSeparator(char c) {
  return c == ',' || c == ' ' || c == '\t';
}

// A DNS name or a dotted quad; no wildcard (a master is somewhere), no IPv6 (the wire
// carries IPv4 only).
Status CheckHost(std::string_view entry, std::string_view host) {
  if (host.empty()) return Status(Code::kInval, fmt::format("'{}' has no host", entry));
  if (host.size() > 253) return Status(Code::kInval, fmt::format("'{}' is too long", entry));
  bool numeric = true;
  for (char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok) {
      return Status(Code::kInval, fmt::format("'{}' is not a host name or IPv4 address{}", entry,
                                              c == ':' ? " (IPv6 is not supported)" : ""));
    }
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') numeric = false;
  }
  if (numeric && !ParseIp(host).ok()) {
    return Status(Code::kInval, fmt::format("'{}' is not an IPv4 address", entry));
  }
  return Status::Ok();
}

Result<MasterEntry> ParseEntry(std::string_view entry, uint16_t default_port) {
  MasterEntry e{std::string(entry), default_port};
  if (const size_t colon = entry.rfind(':'); colon != std::string_view::npos) {
    auto port = ParsePort(entry.substr(colon + 1));
    if (!port.ok() || *port == 0) {
      return Status(Code::kInval, fmt::format("'{}' has a bad port", entry));
    }
    e.host = std::string(entry.substr(0, colon));
    e.port = *port;
  }
  ELK_RETURN_IF_ERROR(CheckHost(entry, e.host));
  return e;
}

}  // namespace

Result<std::vector<MasterEntry>> ParseMasterList(std::string_view text, uint16_t default_port) {
  std::vector<MasterEntry> out;
  size_t pos = 0;
  while (pos < text.size()) {
    if (IsSeparator(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !IsSeparator(text[end]))
      ++end;
    auto e = ParseEntry(text.substr(pos, end - pos), default_port);
    if (!e.ok()) return e.status();
    if (std::find(out.begin(), out.end(), *e) == out.end()) out.push_back(std::move(*e));
    pos = end;
  }
  if (out.empty()) return Status(Code::kInval, "no master address");
  return out;
}

std::string FormatMasterList(const std::vector<MasterEntry>& entries) {
  std::string out;
  for (const MasterEntry& e : entries) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{}:{}", e.host, e.port);
  }
  return out;
}

Result<std::vector<uint32_t>> ResolveAllIpv4(std::string_view host) {
  if (auto ip = ParseIp(host); ip.ok()) return std::vector<uint32_t>{*ip};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string name(host);
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status(Code::kNotFound,
                  fmt::format("cannot resolve '{}': {}", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  std::vector<uint32_t> ips;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family != AF_INET) continue;
    sockaddr_in sa{};
    std::memcpy(&sa, a->ai_addr, sizeof(sa));
    const uint32_t ip = ntohl(sa.sin_addr.s_addr);
    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
  }
  return ips;
}

Result<MasterAddresses> MasterAddresses::Parse(std::string_view text, uint16_t default_port) {
  auto entries = ParseMasterList(text, default_port);
  if (!entries.ok()) return entries.status();
  return MasterAddresses(std::move(*entries));
}

Status MasterAddresses::Restart() {
  round_.clear();
  next_ = 0;
  redirect_.reset();
  auto add = [&](MasterTarget t) {
    for (const MasterTarget& have : round_) {
      if (have.address == t.address) return;
    }
    round_.push_back(std::move(t));
  };
  if (reached_) add(*reached_);
  unresolved_.clear();
  for (const MasterEntry& e : entries_) {
    auto ips = ResolveAllIpv4(e.host);
    if (!ips.ok()) {
      unresolved_ += (unresolved_.empty() ? "" : "; ") + ips.status().message();
      continue;
    }
    for (uint32_t ip : *ips)
      add(MasterTarget{e.host, Address{ip, e.port}, false});
  }
  if (last_) {
    // Stable: the others keep their order.
    std::stable_partition(round_.begin(), round_.end(),
                          [&](const MasterTarget& t) { return !(t.address == *last_); });
  }
  if (!round_.empty()) return Status::Ok();
  return Status(Code::kNotFound, unresolved_.empty() ? "no master address" : unresolved_);
}

bool MasterAddresses::RoundDone() const {
  return !redirect_ && next_ >= round_.size();
}

Result<MasterTarget> MasterAddresses::Next() {
  if (redirect_) {
    MasterEntry to = std::move(*redirect_);
    redirect_.reset();
    auto addr = Resolve(to.host, to.port);
    if (!addr.ok()) return addr.status();
    return MasterTarget{std::move(to.host), *addr, true};
  }
  if (next_ >= round_.size()) {
    return Status(Code::kNotFound, fmt::format("no master answered ({})", ToString()));
  }
  return round_[next_++];
}

void MasterAddresses::Redirect(std::string host, uint16_t port) {
  redirect_ = MasterEntry{std::move(host), port};
}

}  // namespace elk::net
