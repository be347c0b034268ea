#pragma once
// The wire frame: an 8-byte header - u32 type, u32 length, both big-endian - then `length`
// bytes of payload. See docs/wire-protocol.md.

#include <cstddef>
#include <cstdint>
#include <span>

namespace elk::protocol {

inline constexpr size_t kFrameHeaderSize = 8;
// No frame of any type may be larger than this; a type's own limit is usually far smaller.
inline constexpr uint32_t kAbsoluteMaxPayload = 128u << 20;

struct FrameHeader {
  uint32_t type = 0;
  uint32_t length = 0;
};

inline void EncodeFrameHeader(const FrameHeader& h, uint8_t* out) {
  out[0] = static_cast<uint8_t>(h.type >> 24);
  out[1] = static_cast<uint8_t>(h.type >> 16);
  out[2] = static_cast<uint8_t>(h.type >> 8);
  out[3] = static_cast<uint8_t>(h.type);
  out[4] = static_cast<uint8_t>(h.length >> 24);
  out[5] = static_cast<uint8_t>(h.length >> 16);
  out[6] = static_cast<uint8_t>(h.length >> 8);
  out[7] = static_cast<uint8_t>(h.length);
}

inline FrameHeader DecodeFrameHeader(const uint8_t* in) {
  auto u32 = [](const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  };
  return FrameHeader{u32(in), u32(in + 4)};
}

// A received frame as the event loop hands it to a handler: the payload stays valid only
// during the call.
struct FrameView {
  uint32_t type = 0;
  std::span<const uint8_t> payload;
};

}  // namespace elk::protocol
