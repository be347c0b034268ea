#pragma once
// Text keys of login and text PDUs (RFC 7143 section 6): "key=value" pairs, each ended by
// a NUL, in order. A key may come once; a value is at most 8192 bytes (255 for most, but
// SendTargets answers and CHAP values are longer).

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace elk::iscsi {

using TextKeys = std::vector<std::pair<std::string, std::string>>;

// kProtocol for a pair without '=', an empty key or a repeated key.
Result<TextKeys> ParseTextKeys(std::span<const uint8_t> data);
std::vector<uint8_t> EncodeTextKeys(const TextKeys& keys);
// The value of `key`, or empty when absent.
std::string FindKey(const TextKeys& keys, std::string_view key);

}  // namespace elk::iscsi
