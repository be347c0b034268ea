#pragma once
// One framed connection used the simple way, for tools and tests: every call blocks up to
// its timeout and returns a value or a Status. Not for servers - they use Connection.
//
//   auto c = BlockingClient::Connect(*ParseHostPort("mfsmaster:9421"), 5s);
//   if (!c.ok()) return c.status();
//   ELK_RETURN_IF_ERROR(c->Send(CLTOMA_FUSE_REGISTER, payload));
//   auto reply = c->Receive(5s);  // NOPs are skipped

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "common/net/address.h"
#include "common/net/unique_fd.h"
#include "common/protocol/frame.h"
#include "common/status.h"

namespace elk::net {

struct Frame {
  uint32_t type = 0;
  std::vector<uint8_t> payload;
};

class BlockingClient {
 public:
  using Millis = std::chrono::milliseconds;

  static Result<BlockingClient> Connect(const Address& to, Millis timeout);

  Status Send(uint32_t type, std::span<const uint8_t> payload, Millis timeout = Millis(5000));
  // Raw bytes, for tests that must break the protocol on purpose.
  Status SendRaw(std::span<const uint8_t> bytes, Millis timeout = Millis(5000));
  // The next frame that is not a NOP. kTimeout, kDisconnected (peer closed), kProtocol
  // (length over max_payload). A failure after part of a frame was read closes the client,
  // since the stream can no longer be followed.
  Result<Frame> Receive(Millis timeout);
  // The next frame, NOPs included.
  Result<Frame> ReceiveAny(Millis timeout);

  void set_max_payload(uint32_t bytes) { max_payload_ = bytes; }
  const Address& peer() const { return peer_; }
  int fd() const { return fd_.get(); }
  void Close() {
    fd_.reset();
    in_begin_ = in_end_ = 0;
  }

 private:
  BlockingClient(UniqueFd fd, Address peer) : fd_(std::move(fd)), peer_(peer) {}
  Status ReadExactly(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);

  // Small frames (a read's status after its data, acks) are taken from one recv into
  // in_; a large payload's bulk is received straight into the frame.
  static constexpr size_t kInBuffer = 16 * 1024;
  UniqueFd fd_;
  std::vector<uint8_t> in_;
  size_t in_begin_ = 0, in_end_ = 0;
  Address peer_;
  uint32_t max_payload_ = protocol::kAbsoluteMaxPayload;
};

}  // namespace elk::net
