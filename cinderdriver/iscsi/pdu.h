#pragma once
// iSCSI PDUs (RFC 7143 section 11): a 48-byte basic header segment, optional additional
// header segments, an optional header digest, a data segment padded to 4 bytes and an
// optional data digest. Fields are read and written in place, big-endian, by offset, so
// each PDU kind is a handful of named accessors rather than a struct to keep in sync.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::iscsi {

// Opcodes, initiator to target.
inline constexpr uint8_t kOpNopOut = 0x00;
inline constexpr uint8_t kOpScsiCommand = 0x01;
inline constexpr uint8_t kOpTaskRequest = 0x02;
inline constexpr uint8_t kOpLoginRequest = 0x03;
inline constexpr uint8_t kOpTextRequest = 0x04;
inline constexpr uint8_t kOpDataOut = 0x05;
inline constexpr uint8_t kOpLogoutRequest = 0x06;
inline constexpr uint8_t kOpSnack = 0x10;
// Opcodes, target to initiator.
inline constexpr uint8_t kOpNopIn = 0x20;
inline constexpr uint8_t kOpScsiResponse = 0x21;
inline constexpr uint8_t kOpTaskResponse = 0x22;
inline constexpr uint8_t kOpLoginResponse = 0x23;
inline constexpr uint8_t kOpTextResponse = 0x24;
inline constexpr uint8_t kOpDataIn = 0x25;
inline constexpr uint8_t kOpLogoutResponse = 0x26;
inline constexpr uint8_t kOpR2T = 0x31;
inline constexpr uint8_t kOpReject = 0x3f;

inline constexpr uint32_t kReservedTag = 0xffffffff;
inline constexpr size_t kBhsSize = 48;

struct Pdu {
  std::array<uint8_t, kBhsSize> bhs{};
  std::vector<uint8_t> ahs;
  std::vector<uint8_t> data;

  uint8_t opcode() const { return bhs[0] & 0x3f; }
  bool immediate() const { return (bhs[0] & 0x40) != 0; }
  void set_opcode(uint8_t op) { bhs[0] = op; }
  uint8_t flags() const { return bhs[1]; }
  void set_flags(uint8_t f) { bhs[1] = f; }
  bool final_bit() const { return (bhs[1] & 0x80) != 0; }

  uint32_t u32(size_t at) const {
    return uint32_t{bhs[at]} << 24 | uint32_t{bhs[at + 1]} << 16 | uint32_t{bhs[at + 2]} << 8 |
           bhs[at + 3];
  }
  uint16_t u16(size_t at) const { return static_cast<uint16_t>(bhs[at] << 8 | bhs[at + 1]); }
  uint64_t u64(size_t at) const { return uint64_t{u32(at)} << 32 | u32(at + 4); }
  void put32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bhs[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }
  void put16(size_t at, uint16_t v) {
    bhs[at] = static_cast<uint8_t>(v >> 8);
    bhs[at + 1] = static_cast<uint8_t>(v);
  }
  void put64(size_t at, uint64_t v) {
    put32(at, static_cast<uint32_t>(v >> 32));
    put32(at + 4, static_cast<uint32_t>(v));
  }

  // Fields most PDUs share.
  uint64_t lun() const { return u64(8); }
  void set_lun(uint64_t v) { put64(8, v); }
  uint32_t itt() const { return u32(16); }
  void set_itt(uint32_t v) { put32(16, v); }
  uint32_t data_length() const { return uint32_t{bhs[5]} << 16 | uint32_t{bhs[6]} << 8 | bhs[7]; }
};

// Sizes and digests in force on a connection (both digests start off: login is plain).
struct PduFormat {
  bool header_digest = false;
  bool data_digest = false;
  uint32_t max_recv_data = 8192;  // the largest data segment we accept
};

// Serialises a PDU: sets the AHS and data lengths, pads, appends digests.
std::vector<uint8_t> EncodePdu(const Pdu& pdu, const PduFormat& format);

// Reads PDUs from a blocking socket through a buffer, so that the many small PDUs an
// initiator sends back to back cost one recv() between them, not three each.
class PduReader {
 public:
  explicit PduReader(int fd) : fd_(fd), buf_(256 * 1024) {}
  // One PDU. kDisconnected on a clean close between PDUs; kProtocol (with the reason) on a
  // bad digest, an oversized segment or a close mid-PDU.
  Result<Pdu> Read(const PduFormat& format);

 private:
  Status ReadExactly(uint8_t* out, size_t n, bool at_boundary);
  int fd_;
  std::vector<uint8_t> buf_;
  size_t begin_ = 0, end_ = 0;
};

// Writes every byte (retrying short writes); kDisconnected when the peer is gone.
Status WriteAll(int fd, std::span<const uint8_t> bytes);

// The SCSI LUN field (SAM-2 single-level addressing, as initiators send it) as a number.
uint16_t DecodeLun(uint64_t field);
uint64_t EncodeLun(uint16_t lun);

}  // namespace elk::iscsi
