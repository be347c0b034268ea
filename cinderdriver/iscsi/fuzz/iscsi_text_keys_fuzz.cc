// libFuzzer target: the text keys of login and text PDUs. Keys that parse must encode and
// parse back to the same pairs in the same order.

#include <cstddef>
#include <cstdint>
#include <span>

#include "cinderdriver/iscsi/text_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::iscsi;
  auto keys = ParseTextKeys(std::span<const uint8_t>(data, size));
  if (!keys.ok()) return 0;
  auto again = ParseTextKeys(EncodeTextKeys(*keys));
  if (!again.ok() || *again != *keys) __builtin_trap();
  for (const auto& [key, value] : *keys) {
    if (key.empty() || FindKey(*keys, key) != value) __builtin_trap();
  }
  return 0;
}
