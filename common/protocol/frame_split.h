#pragma once
// Cutting a received byte stream into frames, with the checks every receiver must make
// before touching a payload: a known type, and a length within that type's maximum.

#include <cstdint>
#include <optional>
#include <span>

#include "common/protocol/frame.h"
#include "common/status.h"

namespace elk::protocol {

// The first whole frame at the front of `stream`, removing it from `stream`; nullopt when
// more bytes are needed. kProtocol for an unknown type or an oversize length, which
// should close the connection (the header alone decides, before the payload arrives).
Result<std::optional<FrameView>> NextFrame(std::span<const uint8_t>& stream);

// The header check alone, for a reader that has just the 8 header bytes.
Status CheckFrameHeader(const FrameHeader& header);

}  // namespace elk::protocol
