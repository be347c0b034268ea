#pragma once
// Field-by-field equality of messages and records (Bytes views compare by content), for
// tests and for code that must tell whether a message changed.

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common/protocol/fields.h"
#include "common/protocol/wire.h"

namespace elk::protocol {

template <typename T>
bool FieldsEqual(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, Bytes>) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  } else if constexpr (IsVector<T>::value) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return FieldsEqual(x, y); });
  } else if constexpr (IsOptional<T>::value) {
    return a.has_value() == b.has_value() && (!a || FieldsEqual(*a, *b));
  } else if constexpr (Record<T>) {
    [[maybe_unused]] auto fa = a.fields();
    [[maybe_unused]] auto fb = b.fields();
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return (FieldsEqual(std::get<I>(fa), std::get<I>(fb)) && ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(fa)>>{});
  } else {
    return a == b;
  }
}

}  // namespace elk::protocol
