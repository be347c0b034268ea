#include "mount/tools/number_format.h"

#include <fmt/format.h>

#include <limits>

namespace elk::tools {

std::string Humanize(uint64_t value, bool decimal) {
  const uint64_t base = decimal ? 1000 : 1024;
  // Work in hundredths so the rounding below sees two extra digits; the largest values
  // would overflow, so they start one prefix up.
  uint64_t hundredths;
  int scale = 0;
  if (value > std::numeric_limits<uint64_t>::max() / 100) {
    hundredths = value / base * 100;
    scale = 1;
  } else {
    hundredths = value * 100;
  }
  while (hundredths >= 99950) {  // 999.5 and up rounds to four digits: next prefix
    hundredths /= base;
    ++scale;
  }
  std::string out;
  if (scale > 0 && hundredths < 995) {
    uint64_t tenths = (hundredths + 5) / 10;
    out = fmt::format("{}.{}", tenths / 10, tenths % 10);
  } else {
    out = fmt::format("{}", (hundredths + 50) / 100);
  }
  if (scale > 0) {
    static constexpr std::string_view kDecimal = "-kMGTPE";
    static constexpr std::string_view kBinary = "-KMGTPE";
    out += decimal ? kDecimal[scale] : kBinary[scale];
    if (!decimal) out += 'i';
  }
  return out;
}

NumberFormat NumberFormat::FromEnv(std::optional<std::string_view> hrformat) {
  NumberFormat f;
  if (!hrformat || hrformat->empty()) return f;
  std::string_view s = *hrformat;
  bool exact = s.size() > 1 && s[1] == '+';
  if (s[0] >= '0' && s[0] <= '4') {
    f.human_ = static_cast<HumanMode>(s[0] - '0');
  } else if (s[0] == 'h') {
    f.human_ = exact ? HumanMode::kBinaryExact : HumanMode::kBinary;
  } else if (s[0] == 'H') {
    f.human_ = exact ? HumanMode::kDecimalExact : HumanMode::kDecimal;
  }
  return f;
}

bool NumberFormat::ApplySwitch(char c) {
  switch (c) {
    case 'n':
      human_ = HumanMode::kPlain;
      return true;
    case 'h':
      human_ = HumanMode::kBinary;
      return true;
    case 'H':
      human_ = HumanMode::kDecimal;
      return true;
    case 'k':
      unit_ = FixedUnit::kKibi;
      return true;
    case 'm':
      unit_ = FixedUnit::kMebi;
      return true;
    case 'g':
      unit_ = FixedUnit::kGibi;
      return true;
    default:
      return false;
  }
}

std::string NumberFormat::Column(uint64_t value, bool narrow, bool bytes) const {
  if (human_ != HumanMode::kPlain) return Human(value, narrow, bytes);
  return Plain(value, narrow);
}

std::string NumberFormat::Bare(uint64_t value, bool bytes) const {
  if (human_ == HumanMode::kPlain) {
    return fmt::format("{}", value >> (10 * static_cast<int>(unit_)));
  }
  const bool decimal = human_ == HumanMode::kDecimal || human_ == HumanMode::kDecimalExact;
  std::string out = fmt::format("{:>{}}", Humanize(value, decimal), decimal ? 4 : 5);
  if (bytes) out += 'B';
  if (human_ == HumanMode::kBinaryExact || human_ == HumanMode::kDecimalExact) {
    out += fmt::format(" ({})", value);
  }
  return out;
}

std::string NumberFormat::Plain(uint64_t value, bool narrow) const {
  // Each step of 1024 takes three digits off the column, as MooseFS does.
  const int shift = 10 * static_cast<int>(unit_);
  const int width = (narrow ? 10 : 20) - 3 * static_cast<int>(unit_);
  if (narrow) value = static_cast<uint32_t>(value);
  return fmt::format("{:>{}}", value >> shift, width);
}

std::string NumberFormat::Human(uint64_t value, bool narrow, bool bytes) const {
  const bool decimal = human_ == HumanMode::kDecimal || human_ == HumanMode::kDecimalExact;
  const int width = decimal ? 4 : 5;  // "999M" or "999Mi"
  std::string h = Humanize(value, decimal);
  std::string out = bytes ? fmt::format("{:>{}}B", h, width) : fmt::format(" {:>{}}", h, width);
  if (human_ == HumanMode::kBinaryExact || human_ == HumanMode::kDecimalExact) {
    if (narrow) {
      out += fmt::format(" ({:>10})", static_cast<uint32_t>(value));
    } else {
      out += fmt::format(" ({:>20})", value);
    }
  }
  return out;
}

}  // namespace elk::tools
