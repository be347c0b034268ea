#pragma once
// IPv4 endpoints as the protocol carries them: the ip as a u32 in host byte order (the codec
// writes it big-endian) and a u16 port. Config values "host:port", "*:port" and a bare host
// with a separate port key all parse here; names resolve through getaddrinfo (IPv4 only,
// because the wire has room for nothing else).

#include <fmt/format.h>
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::net {

inline constexpr uint32_t kAnyIp = 0;                // 0.0.0.0: listen on every interface
inline constexpr uint32_t kLoopbackIp = 0x7f000001;  // 127.0.0.1

struct Address {
  uint32_t ip = kAnyIp;  // host byte order
  uint16_t port = 0;

  static Address FromSockaddr(const sockaddr_in& sa);
  sockaddr_in ToSockaddr() const;
  // "a.b.c.d:port"
  std::string ToString() const;

  friend bool operator==(const Address&, const Address&) = default;
};

// "a.b.c.d"
std::string FormatIp(uint32_t ip);
// Dotted quad only, no names: "10.0.0.1" -> 0x0a000001.
Result<uint32_t> ParseIp(std::string_view text);
// 0..65535, digits only.
Result<uint16_t> ParsePort(std::string_view text);
// "*" or "" -> kAnyIp; a dotted quad as is; anything else through getaddrinfo (first IPv4).
Result<uint32_t> ResolveHost(std::string_view host);
// Host and port given apart, as in MASTER_HOST / MASTER_PORT.
Result<Address> Resolve(std::string_view host, std::string_view port);
Result<Address> Resolve(std::string_view host, uint16_t port);
// "host:port", "*:port" or ":port". Without a colon the whole text is the host and
// default_port is used; with no default that is an error.
Result<Address> ParseHostPort(std::string_view text, std::optional<uint16_t> default_port = {});

}  // namespace elk::net

template <>
struct fmt::formatter<elk::net::Address> : fmt::formatter<std::string> {
  auto format(const elk::net::Address& a, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(a.ToString(), ctx);
  }
};
