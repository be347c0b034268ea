// libFuzzer target: a received byte stream, cut into frames and each frame decoded by its
// type (over every message in AllMessages). Properties checked beyond "no crash":
// - every type the frame splitter accepts has a message struct;
// - a payload that decodes re-encodes to exactly the same frame bytes (the codec is
//   canonical, so the two sides cannot disagree about what a frame means).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/protocol/codec.h"
#include "common/protocol/frame_split.h"
#include "common/protocol/messages.h"

namespace {

using namespace elk::protocol;

void CheckFrame(const FrameView& frame) {
  bool known = AllMessages::Visit(frame.type, [&]<typename M>(std::type_identity<M>) {
    auto msg = Decode<M>(frame);
    if (!msg.ok()) {
      if (msg.code() != elk::Code::kProtocol) __builtin_trap();
      return;
    }
    auto again = EncodeFrame(*msg);
    if (!again.ok()) __builtin_trap();
    if (again->size() != kFrameHeaderSize + frame.payload.size()) __builtin_trap();
    if (!std::equal(frame.payload.begin(), frame.payload.end(),
                    again->begin() + kFrameHeaderSize)) {
      __builtin_trap();
    }
  });
  if (!known) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> stream(data, size);
  while (true) {
    auto frame = NextFrame(stream);
    if (!frame.ok() || !frame->has_value()) break;  // a real peer would be disconnected
    CheckFrame(**frame);
  }
  return 0;
}
