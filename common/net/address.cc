#include "common/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>
#include <memory>

namespace elk::net {

Address Address::FromSockaddr(const sockaddr_in& sa) {
  return Address{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
}

sockaddr_in Address::ToSockaddr() const {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(ip);
  sa.sin_port = htons(port);
  return sa;
}

std::string Address::ToString() const {
  return fmt::format("{}:{}", FormatIp(ip), port);
}

std::string FormatIp(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

Result<uint32_t> ParseIp(std::string_view text) {
  uint32_t ip = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return Status(Code::kInval, fmt::format("bad IPv4 '{}'", text));
      ++p;
    }
    unsigned value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    // Leading '+', '-' or spaces are refused by from_chars; cap each part at 3 digits.
    if (ec != std::errc() || value > 255 || next - p > 3) {
      return Status(Code::kInval, fmt::format("bad IPv4 '{}'", text));
    }
    ip = (ip << 8) | value;
    p = next;
  }
  if (p != end) return Status(Code::kInval, fmt::format("bad IPv4 '{}'", text));
  return ip;
}

Result<uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || next != text.data() + text.size() || value > 65535) {
    return Status(Code::kInval, fmt::format("bad port '{}'", text));
  }
  return static_cast<uint16_t>(value);
}

Result<uint32_t> ResolveHost(std::string_view host) {
  if (host.empty() || host == "*") return kAnyIp;
  if (auto ip = ParseIp(host); ip.ok()) return ip;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string name(host);
  int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status(Code::kNotFound,
                  fmt::format("cannot resolve '{}': {}", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  sockaddr_in sa{};
  std::memcpy(&sa, found->ai_addr, sizeof(sa));
  return ntohl(sa.sin_addr.s_addr);
}

Result<Address> Resolve(std::string_view host, uint16_t port) {
  auto ip = ResolveHost(host);
  if (!ip.ok()) return ip.status();
  return Address{*ip, port};
}

Result<Address> Resolve(std::string_view host, std::string_view port) {
  auto p = ParsePort(port);
  if (!p.ok()) return p.status();
  return Resolve(host, *p);
}

Result<Address> ParseHostPort(std::string_view text, std::optional<uint16_t> default_port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    if (!default_port) {
      return Status(Code::kInval, fmt::format("'{}' is not host:port", text));
    }
    return Resolve(text, *default_port);
  }
  return Resolve(text.substr(0, colon), text.substr(colon + 1));
}

}  // namespace elk::net
