#include "common/cfg/export_address.h"

#include <fmt/format.h>

#include <charconv>

#include "common/cfg/value_parse.h"

namespace elk::cfg {
namespace {

Status Bad(std::string_view text, std::string_view why) {
  return Status(Code::kBadConfig, fmt::format("address '{}': {}", text, why));
}

uint32_t MaskOfBits(unsigned bits) {
  return bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
}

Result<uint32_t> ParseMask(std::string_view whole, std::string_view mask_text) {
  if (mask_text.find('.') != std::string_view::npos) {
    auto mask = ParseIPv4(mask_text);
    if (!mask.ok()) return Bad(whole, mask.status().message());
    // A valid mask is ones then zeros: its complement plus one is a power of two.
    uint32_t inverted = ~*mask;
    if ((inverted & (inverted + 1)) != 0) return Bad(whole, "the mask is not contiguous");
    return *mask;
  }
  unsigned bits = 0;
  auto [ptr, ec] = std::from_chars(mask_text.data(), mask_text.data() + mask_text.size(), bits);
  if (mask_text.empty() || ec != std::errc() || ptr != mask_text.data() + mask_text.size())
    return Bad(whole, "the prefix length is not a number");
  if (bits > 32) return Bad(whole, "prefix length over 32");
  return MaskOfBits(bits);
}

}  // namespace

Result<AddressRange> ParseExportAddress(std::string_view text) {
  if (text == "*") return AddressRange{0, ~uint32_t{0}};
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    auto ip = ParseIPv4(text.substr(0, slash));
    if (!ip.ok()) return Bad(text, ip.status().message());
    auto mask = ParseMask(text, text.substr(slash + 1));
    if (!mask.ok()) return mask.status();
    uint32_t network = *ip & *mask;
    return AddressRange{network, network | ~*mask};
  }
  if (size_t dash = text.find('-'); dash != std::string_view::npos) {
    auto from = ParseIPv4(text.substr(0, dash));
    if (!from.ok()) return Bad(text, from.status().message());
    auto to = ParseIPv4(text.substr(dash + 1));
    if (!to.ok()) return Bad(text, to.status().message());
    if (*from > *to) return Bad(text, "the range is inverted (first address above the last)");
    return AddressRange{*from, *to};
  }
  auto ip = ParseIPv4(text);
  if (!ip.ok()) return Bad(text, ip.status().message());
  return AddressRange{*ip, *ip};
}

}  // namespace elk::cfg
