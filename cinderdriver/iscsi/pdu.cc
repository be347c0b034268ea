#include "cinderdriver/iscsi/pdu.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/crc/crc32c.h"

namespace elk::iscsi {

namespace {

void PutDigest(std::vector<uint8_t>& out, uint32_t crc) {
  // iSCSI digests go on the wire least significant byte first.
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
}

uint32_t GetDigest(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

size_t Padded(size_t n) {
  return (n + 3) & ~size_t{3};
}

}  // namespace

std::vector<uint8_t> EncodePdu(const Pdu& pdu, const PduFormat& format) {
  Pdu head = pdu;
  head.bhs[4] = static_cast<uint8_t>(Padded(pdu.ahs.size()) / 4);
  const auto dl = static_cast<uint32_t>(pdu.data.size());
  head.bhs[5] = static_cast<uint8_t>(dl >> 16);
  head.bhs[6] = static_cast<uint8_t>(dl >> 8);
  head.bhs[7] = static_cast<uint8_t>(dl);
  std::vector<uint8_t> out;
  out.reserve(kBhsSize + Padded(pdu.ahs.size()) + Padded(pdu.data.size()) + 8);
  out.insert(out.end(), head.bhs.begin(), head.bhs.end());
  out.insert(out.end(), pdu.ahs.begin(), pdu.ahs.end());
  out.resize(kBhsSize + Padded(pdu.ahs.size()), 0);
  if (format.header_digest) PutDigest(out, crc::Crc32c(std::span<const uint8_t>(out)));
  if (!pdu.data.empty()) {
    const size_t start = out.size();
    out.insert(out.end(), pdu.data.begin(), pdu.data.end());
    out.resize(start + Padded(pdu.data.size()), 0);
    if (format.data_digest)
      PutDigest(out, crc::Crc32c(std::span<const uint8_t>(out.data() + start, out.size() - start)));
  }
  return out;
}

// kDisconnected when nothing at all was read and the peer closed; kProtocol when it closed
// part-way.
Status PduReader::ReadExactly(uint8_t* out, size_t n, bool at_boundary) {
  size_t got = 0;
  while (got < n) {
    if (begin_ < end_) {
      const size_t take = std::min(n - got, end_ - begin_);
      std::memcpy(out + got, buf_.data() + begin_, take);
      begin_ += take;
      got += take;
      continue;
    }
    begin_ = end_ = 0;
    // Large segments go straight to their place; small reads refill the buffer.
    const bool direct = n - got >= buf_.size() / 2;
    ssize_t r =
        direct ? ::recv(fd_, out + got, n - got, 0) : ::recv(fd_, buf_.data(), buf_.size(), 0);
    if (r > 0) {
      if (direct)
        got += static_cast<size_t>(r);
      else
        end_ = static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (got == 0 && at_boundary) return Status(Code::kDisconnected, "initiator closed");
    return Status(Code::kProtocol, r == 0 ? "initiator closed inside a PDU"
                                          : std::string("receive: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<Pdu> PduReader::Read(const PduFormat& format) {
  Pdu pdu;
  ELK_RETURN_IF_ERROR(ReadExactly(pdu.bhs.data(), kBhsSize, true));
  const size_t ahs_len = size_t{pdu.bhs[4]} * 4;
  const uint32_t data_len = pdu.data_length();
  if (data_len > format.max_recv_data) {
    return Status(Code::kProtocol, "data segment of " + std::to_string(data_len) +
                                       " bytes over MaxRecvDataSegmentLength " +
                                       std::to_string(format.max_recv_data));
  }
  pdu.ahs.resize(ahs_len);
  if (ahs_len > 0) ELK_RETURN_IF_ERROR(ReadExactly(pdu.ahs.data(), ahs_len, false));
  if (format.header_digest) {
    uint8_t d[4];
    ELK_RETURN_IF_ERROR(ReadExactly(d, 4, false));
    uint32_t crc = crc::Crc32c(std::span<const uint8_t>(pdu.bhs));
    if (ahs_len > 0) crc = crc::Crc32c(crc, pdu.ahs.data(), ahs_len);
    if (crc != GetDigest(d)) return Status(Code::kProtocol, "header digest mismatch");
  }
  if (data_len > 0) {
    pdu.data.resize(Padded(data_len));
    ELK_RETURN_IF_ERROR(ReadExactly(pdu.data.data(), pdu.data.size(), false));
    if (format.data_digest) {
      uint8_t d[4];
      ELK_RETURN_IF_ERROR(ReadExactly(d, 4, false));
      if (crc::Crc32c(pdu.data) != GetDigest(d))
        return Status(Code::kProtocol, "data digest mismatch");
    }
    pdu.data.resize(data_len);
  }
  return pdu;
}

Status WriteAll(int fd, std::span<const uint8_t> bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t w = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (w > 0) {
      sent += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    return Status(Code::kDisconnected, std::string("send: ") + std::strerror(errno));
  }
  return Status::Ok();
}

uint16_t DecodeLun(uint64_t field) {
  // Peripheral (00b) and flat (01b) addressing both keep the LUN in the first two bytes.
  return static_cast<uint16_t>((field >> 48) & 0x3fff);
}

uint64_t EncodeLun(uint16_t lun) {
  if (lun < 256) return uint64_t{lun} << 48;
  return (uint64_t{0x4000u | lun} << 48);
}

}  // namespace elk::iscsi
