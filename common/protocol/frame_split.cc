#include "common/protocol/frame_split.h"

#include <fmt/format.h>

#include "common/protocol/message_types.h"

namespace elk::protocol {

Status CheckFrameHeader(const FrameHeader& header) {
  if (!KnownType(header.type)) {
    return Status(Code::kProtocol,
                  fmt::format("unknown message type {} (length {})", header.type, header.length));
  }
  if (header.length > MaxPayload(header.type)) {
    return Status(Code::kProtocol,
                  fmt::format("{} frame of {} bytes exceeds its maximum of {}",
                              TypeName(header.type), header.length, MaxPayload(header.type)));
  }
  return Status::Ok();
}

Result<std::optional<FrameView>> NextFrame(std::span<const uint8_t>& stream) {
  if (stream.size() < kFrameHeaderSize) return std::optional<FrameView>();
  FrameHeader header = DecodeFrameHeader(stream.data());
  ELK_RETURN_IF_ERROR(CheckFrameHeader(header));
  if (stream.size() - kFrameHeaderSize < header.length) return std::optional<FrameView>();
  FrameView frame{header.type, stream.subspan(kFrameHeaderSize, header.length)};
  stream = stream.subspan(kFrameHeaderSize + header.length);
  return std::optional<FrameView>(frame);
}

}  // namespace elk::protocol
