// libFuzzer target: every decoder directly. The first byte picks a message from
// AllMessages, the rest is its payload (so the fuzzer need not guess valid headers).
// A payload that decodes must re-encode to the same bytes.

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/protocol/codec.h"
#include "common/protocol/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::protocol;
  if (size == 0) return 0;
  const size_t pick = data[0] % AllMessages::kSize;
  std::span<const uint8_t> payload(data + 1, size - 1);
  size_t index = 0;
  AllMessages::ForEach([&]<typename M>(std::type_identity<M>) {
    if (index++ != pick) return;
    auto msg = Decode<M>(payload);
    if (!msg.ok()) return;
    auto again = EncodePayload(*msg);
    if (!again.ok() || !std::equal(again->begin(), again->end(), payload.begin(), payload.end())) {
      __builtin_trap();
    }
  });
  return 0;
}
