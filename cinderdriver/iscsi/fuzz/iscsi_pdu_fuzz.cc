// libFuzzer target: the iSCSI PDU reader on the bytes an initiator could send. PduReader
// reads a socket, so the input goes into one end of a local socketpair (no network) that
// is then closed; PDUs are read until the reader refuses or reaches the end. The first
// byte picks the digests and MaxRecvDataSegmentLength in force. A PDU that is read must
// encode to a prefix-free frame of the same header, AHS and data.

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cinderdriver/iscsi/pdu.h"

namespace {

// Inputs beyond this are cut: the whole input must fit the socket buffer unread.
constexpr size_t kMaxInput = 64 * 1024;

struct SocketPair {
  int fd[2] = {-1, -1};
  SocketPair() {
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0) __builtin_trap();
  }
  ~SocketPair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::iscsi;
  if (size == 0) return 0;
  PduFormat format;
  format.header_digest = (data[0] & 1) != 0;
  format.data_digest = (data[0] & 2) != 0;
  format.max_recv_data = (data[0] & 4) != 0 ? 262144 : 8192;
  const size_t n = std::min(size - 1, kMaxInput);
  SocketPair pair;
  if (n > 0 && !WriteAll(pair.fd[1], {data + 1, n}).ok()) __builtin_trap();
  ::shutdown(pair.fd[1], SHUT_WR);
  PduReader reader(pair.fd[0]);
  while (true) {
    auto pdu = reader.Read(format);
    if (!pdu.ok()) break;
    if (pdu->data.size() != pdu->data_length() || pdu->data.size() > format.max_recv_data ||
        pdu->ahs.size() != size_t{pdu->bhs[4]} * 4) {
      __builtin_trap();
    }
    auto frame = EncodePdu(*pdu, format);
    if (frame.size() < kBhsSize || !std::equal(pdu->bhs.begin(), pdu->bhs.end(), frame.begin()))
      __builtin_trap();
  }
  return 0;
}
