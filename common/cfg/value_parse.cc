#include "common/cfg/value_parse.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace elk::cfg {
namespace {

Status Bad(std::string_view text, std::string_view what) {
  return Status(Code::kBadConfig, fmt::format("'{}' is not {}", text, what));
}

char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Parses an unsigned decimal number at the start of text; returns chars used (0 if none).
size_t LeadingNumber(std::string_view text, double* value) {
  size_t n = 0;
  while (n < text.size() && (std::isdigit(static_cast<unsigned char>(text[n])) || text[n] == '.'))
    ++n;
  if (n == 0) return 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, *value);
  if (ec != std::errc() || ptr != text.data() + n) return 0;
  return n;
}

}  // namespace

Result<int64_t> ParseInteger(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && Lower(digits[1]) == 'x') {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (digits.empty() || ec == std::errc::invalid_argument || ptr != digits.data() + digits.size())
    return Bad(text, "an integer");
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (ec == std::errc::result_out_of_range || magnitude > kMax + (negative ? 1 : 0))
    return Status(Code::kBadConfig, fmt::format("'{}' is out of the integer range", text));
  if (negative) return static_cast<int64_t>(0 - magnitude);
  return static_cast<int64_t>(magnitude);
}

Result<uint64_t> ParseSize(std::string_view text) {
  double number = 0;
  size_t used = LeadingNumber(text, &number);
  if (used == 0) return Bad(text, "a size");
  std::string_view unit = text.substr(used);
  unit = unit.substr(unit.find_first_not_of(' ') == std::string_view::npos
                         ? unit.size()
                         : unit.find_first_not_of(' '));
  static constexpr std::string_view kUnits = "kmgtpe";
  double multiplier = 1;
  if (!unit.empty()) {
    size_t power = kUnits.find(Lower(unit[0]));
    if (Lower(unit[0]) == 'b' && unit.size() == 1) {
      power = std::string_view::npos;
      unit = {};
    } else if (power == std::string_view::npos) {
      return Bad(text, "a size (unknown unit)");
    } else {
      multiplier = std::pow(1024.0, static_cast<double>(power + 1));
      unit.remove_prefix(1);
      if (!unit.empty() && unit[0] == 'i') unit.remove_prefix(1);
      if (!unit.empty() && Lower(unit[0]) == 'b') unit.remove_prefix(1);
    }
    if (!unit.empty()) return Bad(text, "a size (unknown unit)");
  }
  double bytes = number * multiplier;
  // 2^64 is exactly representable; anything at or above it does not fit.
  if (!(bytes < 18446744073709551616.0))
    return Status(Code::kBadConfig, fmt::format("'{}' is too large", text));
  if (multiplier == 1 && text.find('.') != std::string_view::npos)
    return Bad(text, "a whole number of bytes");
  return static_cast<uint64_t>(bytes);
}

Result<bool> ParseBool(std::string_view text) {
  static constexpr std::array<std::string_view, 5> kTrue = {"1", "yes", "true", "on", "y"};
  static constexpr std::array<std::string_view, 5> kFalse = {"0", "no", "false", "off", "n"};
  for (auto word : kTrue) {
    if (EqualsNoCase(text, word)) return true;
  }
  for (auto word : kFalse) {
    if (EqualsNoCase(text, word)) return false;
  }
  return Bad(text, "a boolean (0/1, yes/no, true/false)");
}

Result<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return Bad(text, "a duration");
  auto plain = ParseInteger(text);
  if (plain.ok()) {
    if (*plain < 0) return Bad(text, "a non-negative duration");
    return *plain;
  }
  int64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t n = 0;
    uint64_t value = 0;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n])))
      ++n;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + n, value);
    if (n == 0 || ec != std::errc() || n == rest.size()) return Bad(text, "a duration");
    int64_t unit = 0;
    switch (Lower(rest[n])) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return Bad(text, "a duration (units s, m, h, d, w)");
    }
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    if (value > static_cast<uint64_t>(kMax / unit) ||
        total > kMax - static_cast<int64_t>(value) * unit)
      return Status(Code::kBadConfig, fmt::format("'{}' is too long a duration", text));
    total += static_cast<int64_t>(value) * unit;
    rest.remove_prefix(n + 1);
  }
  return total;
}

Result<double> ParseDouble(std::string_view text) {
  double value = 0;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
      !std::isfinite(value))
    return Bad(text, "a number");
  return value;
}

Result<uint16_t> ParsePort(std::string_view text) {
  auto value = ParseInteger(text);
  if (!value.ok() || *value < 1 || *value > 65535) return Bad(text, "a port (1..65535)");
  return static_cast<uint16_t>(*value);
}

Result<uint32_t> ParseIPv4(std::string_view text) {
  uint32_t ip = 0;
  std::string_view rest = text;
  for (int octet = 0; octet < 4; ++octet) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    if ((octet < 3) == (dot == std::string_view::npos)) return Bad(text, "an IPv4 address");
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc() || ptr != part.data() + part.size())
      return Bad(text, "an IPv4 address");
    if (value > 255)
      return Status(Code::kBadConfig, fmt::format("'{}': octet {} is over 255", text, value));
    ip = (ip << 8) | value;
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return ip;
}

Result<std::string> ParseHost(std::string_view text) {
  if (text == "*") return std::string(text);
  if (text.empty() || text.size() > 253) return Bad(text, "a host name or address");
  bool all_numeric = true;
  for (char c : text) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok) return Bad(text, "a host name or address");
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '-') all_numeric = false;
  }
  if (all_numeric) {
    auto ip = ParseIPv4(text);
    if (!ip.ok()) return ip.status();
  }
  return std::string(text);
}

Result<uint32_t> ParseOctalMode(std::string_view text) {
  uint32_t mode = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || mode > 0777)
    return Bad(text, "an octal mode (000..777)");
  return mode;
}

}  // namespace elk::cfg
