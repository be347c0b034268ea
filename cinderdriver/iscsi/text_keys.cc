#include "cinderdriver/iscsi/text_keys.h"

#include <algorithm>

namespace elk::iscsi {

Result<TextKeys> ParseTextKeys(std::span<const uint8_t> data) {
  TextKeys keys;
  size_t pos = 0;
  while (pos < data.size()) {
    auto end = std::find(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end(), uint8_t{0});
    std::string pair(data.begin() + static_cast<std::ptrdiff_t>(pos), end);
    pos = static_cast<size_t>(end - data.begin()) + 1;
    if (pair.empty()) continue;  // padding NULs
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status(Code::kProtocol, "text key without '=': " + pair.substr(0, 64));
    std::string key = pair.substr(0, eq);
    if (key.size() > 63) return Status(Code::kProtocol, "text key over 63 bytes");
    if (pair.size() - eq - 1 > 8192) return Status(Code::kProtocol, "text value over 8192 bytes");
    for (const auto& [k, v] : keys)
      if (k == key) return Status(Code::kProtocol, "text key repeated: " + key);
    keys.emplace_back(std::move(key), pair.substr(eq + 1));
  }
  return keys;
}

std::vector<uint8_t> EncodeTextKeys(const TextKeys& keys) {
  std::vector<uint8_t> out;
  for (const auto& [k, v] : keys) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back('=');
    out.insert(out.end(), v.begin(), v.end());
    out.push_back(0);
  }
  return out;
}

std::string FindKey(const TextKeys& keys, std::string_view key) {
  for (const auto& [k, v] : keys)
    if (k == key) return v;
  return {};
}

}  // namespace elk::iscsi
