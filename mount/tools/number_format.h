#pragma once
// Numbers as MooseFS's tools print them. The switches -n, -h, -H, -k, -m, -g (and the
// MFSHRFORMAT environment variable) choose the form; the widths keep columns aligned, so
// they must match MooseFS's exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace elk::tools {

enum class HumanMode : uint8_t {
  kPlain = 0,         // 220000006
  kBinary = 1,        // -h: 210Mi
  kDecimal = 2,       // -H: 220M
  kBinaryExact = 3,   // MFSHRFORMAT=h+: 210Mi (220000006)
  kDecimalExact = 4,  // MFSHRFORMAT=H+: 220M (220000006)
};

// Fixed units for plain numbers (-k, -m, -g): the value is divided and truncated.
enum class FixedUnit : uint8_t { kOne = 0, kKibi = 1, kMebi = 2, kGibi = 3 };

// "210Mi" (binary) or "220M" (decimal): at most three significant digits, one decimal
// below 10, rounded half up; numbers below the first prefix print as integers ("6").
std::string Humanize(uint64_t value, bool decimal);

class NumberFormat {
 public:
  NumberFormat() = default;
  NumberFormat(HumanMode human, FixedUnit unit) : human_(human), unit_(unit) {}

  // Reads MFSHRFORMAT: "0".."4", "h", "h+", "H", "H+"; anything else leaves the default.
  static NumberFormat FromEnv(std::optional<std::string_view> hrformat);

  // Applies one of the switches n, h, H, k, m, g; false for any other letter.
  bool ApplySwitch(char c);

  // A right-aligned column: `narrow` counters are 32-bit (10 wide plain), others 64-bit
  // (20 wide); `bytes` values get a B suffix when humanized.
  std::string Column(uint64_t value, bool narrow, bool bytes) const;

  // The value alone, unpadded when plain (mfsdirinfo's show switches).
  std::string Bare(uint64_t value, bool bytes) const;

  HumanMode human() const { return human_; }
  FixedUnit unit() const { return unit_; }

 private:
  std::string Plain(uint64_t value, bool narrow) const;
  std::string Human(uint64_t value, bool narrow, bool bytes) const;

  HumanMode human_ = HumanMode::kPlain;
  FixedUnit unit_ = FixedUnit::kOne;
};

}  // namespace elk::tools
