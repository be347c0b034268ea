#pragma once
// Test helper: fills every field of a message with distinct non-default values (lists get
// two items, optionals are present), so a round trip exercises every byte of the layout.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/wire.h"

namespace elk::protocol::testing {

// Backing store for filled Bytes fields: they are views, so something must own the bytes.
inline const std::array<uint8_t, 97>& FillBytesStore() {
  static const std::array<uint8_t, 97> store = [] {
    std::array<uint8_t, 97> a{};
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = static_cast<uint8_t>(i * 7 + 3);
    return a;
  }();
  return store;
}

template <typename T>
void Fill(T& v, uint32_t& seed) {
  ++seed;
  if constexpr (std::is_same_v<T, bool>) {
    v = true;
  } else if constexpr (std::is_enum_v<T>) {
    if constexpr (BoundedEnum<T>) {
      auto last = static_cast<std::underlying_type_t<T>>(T::kLast);
      v = static_cast<T>(1 + seed % (last - 1));
    } else {
      v = static_cast<T>(seed);
    }
  } else if constexpr (std::is_integral_v<T>) {
    // High bits set too, so byte order mistakes show.
    v = static_cast<T>(0x8100000000000000ull + seed * 0x0101010101ull + seed % 250 + 1);
    if (v == 0) v = 1;
  } else if constexpr (std::is_same_v<T, std::string>) {
    v = "field-" + std::to_string(seed);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    v = Bytes(FillBytesStore().data() + seed % 16, 33 + seed % 50);
  } else if constexpr (IsVector<T>::value) {
    v.resize(2);
    for (auto& e : v)
      Fill(e, seed);
  } else if constexpr (IsOptional<T>::value) {
    Fill(v.emplace(), seed);
  } else if constexpr (Record<T>) {
    std::apply([&seed](auto&... f) { (Fill(f, seed), ...); }, v.fields());
  }
}

template <typename T>
T Filled(uint32_t seed = 0) {
  T v{};
  Fill(v, seed);
  return v;
}

}  // namespace elk::protocol::testing
