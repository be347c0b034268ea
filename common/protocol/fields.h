#pragma once
// How a struct declares its wire fields. A message is a plain struct with a type id and
// one ELK_FIELDS line naming its members in wire order:
//
//   struct CltomaLookup {
//     static constexpr uint32_t kType = CLTOMA_LOOKUP;
//     uint32_t msgid = 0;
//     uint32_t parent = 0;
//     std::string name;
//     ELK_FIELDS(msgid, parent, name)
//   };
//
// ELK_FIELDS only ties the members (for the encoder and decoder) and keeps their names
// as text (for error messages); the struct stays an ordinary aggregate-like value.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

// clang-format off
#define ELK_FIELDS(...)                                                  \
  auto fields() { return std::tie(__VA_ARGS__); }                        \
  auto fields() const { return std::tie(__VA_ARGS__); }                  \
  static constexpr std::string_view kFieldNames = #__VA_ARGS__;
// clang-format on

namespace elk::protocol {

// A struct with a field list: a message, or a record nested in one.
template <typename T>
concept Record = requires(T& t, const T& c) {
  t.fields();
  c.fields();
  T::kFieldNames;
};

// A record that is a whole frame payload of one type.
template <typename T>
concept Message = Record<T> && requires {
  { T::kType } -> std::convertible_to<uint32_t>;
};

template <typename T>
struct IsVector : std::false_type {};
template <typename T, typename A>
struct IsVector<std::vector<T, A>> : std::true_type {};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// Enums that end in kLast are range-checked on decode: a value >= kLast is refused.
template <typename E>
concept BoundedEnum = std::is_enum_v<E> && requires {
  E::kLast;
};

// The i-th name in a "a, b, c" list ("?" past the end).
constexpr std::string_view FieldName(std::string_view names, size_t index) {
  for (size_t i = 0; i < index; ++i) {
    size_t comma = names.find(',');
    if (comma == std::string_view::npos) return "?";
    names.remove_prefix(comma + 1);
  }
  names = names.substr(0, names.find(','));
  while (!names.empty() && names.front() == ' ')
    names.remove_prefix(1);
  while (!names.empty() && names.back() == ' ')
    names.remove_suffix(1);
  return names;
}

// The member types of a record, without references, as a tuple type.
template <typename Tuple>
struct DecayedTuple;
template <typename... A>
struct DecayedTuple<std::tuple<A...>> {
  using type = std::tuple<std::remove_cvref_t<A>...>;
};
template <Record T>
using FieldTypes = typename DecayedTuple<decltype(std::declval<T&>().fields())>::type;

}  // namespace elk::protocol
