#pragma once
// Standard base64 (RFC 4648, with '=' padding): etcd's v3 JSON gateway carries every key
// and value as base64, since gRPC's JSON mapping encodes `bytes` fields that way.

#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::master::ha {

std::string Base64Encode(std::string_view bytes);
// kProtocol on a character outside the alphabet, a length that is not a multiple of 4,
// or padding anywhere but at the end.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace elk::master::ha
