#include "common/net/socket_options.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

namespace elk::net {
namespace {

Status SetIntOption(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return Status::FromErrno(errno, what);
  }
  return Status::Ok();
}

using NameGetter = int (*)(int, sockaddr*, socklen_t*);

Result<Address> GetName(int fd, NameGetter getter, const char* what) {
  sockaddr_in sa{};
  socklen_t len = sizeof(sa);
  if (getter(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    return Status::FromErrno(errno, what);
  }
  if (sa.sin_family != AF_INET) return Status(Code::kNotSupported, "not an IPv4 socket");
  return Address::FromSockaddr(sa);
}

}  // namespace

Result<UniqueFd> NewTcpSocket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno(errno, "socket");
  return UniqueFd(fd);
}

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return Status::FromErrno(errno, "fcntl O_NONBLOCK");
  }
  return Status::Ok();
}

Status SetNoDelay(int fd) {
  return SetIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
}

Status SetReuseAddress(int fd) {
  return SetIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
}

int PendingSocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

Result<Address> LocalAddress(int fd) {
  return GetName(fd, ::getsockname, "getsockname");
}
Result<Address> PeerAddress(int fd) {
  return GetName(fd, ::getpeername, "getpeername");
}

}  // namespace elk::net
