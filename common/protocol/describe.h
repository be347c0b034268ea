#pragma once
// A message as one line of text for logs and test failures:
//   CLTOMA_LOOKUP{msgid=7, parent=1, name="etc", creds={uid=0, gid=0, groups=[]}}
// Bytes and blobs print as their length only; strings are cut at 64 characters.

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/protocol/wire.h"

namespace elk::protocol {

template <typename T>
void DescribeField(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    fmt::format_to(std::back_inserter(out), "{}", +static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_integral_v<T>) {
    fmt::format_to(std::back_inserter(out), "{}", +v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    fmt::format_to(std::back_inserter(out), "\"{}{}\"", std::string_view(v).substr(0, 64),
                   v.size() > 64 ? "..." : "");
  } else if constexpr (std::is_same_v<T, Bytes> || std::is_same_v<T, std::vector<uint8_t>>) {
    fmt::format_to(std::back_inserter(out), "<{} bytes>", v.size());
  } else if constexpr (IsVector<T>::value) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      DescribeField(out, v[i]);
    }
    out += ']';
  } else if constexpr (IsOptional<T>::value) {
    if (v) {
      DescribeField(out, *v);
    } else {
      out += "none";
    }
  } else if constexpr (Record<T>) {
    out += '{';
    [[maybe_unused]] auto fs = v.fields();
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((out += (I == 0 ? "" : ", "), out += FieldName(T::kFieldNames, I), out += '=',
        DescribeField(out, std::get<I>(fs))),
       ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(fs)>>{});
    out += '}';
  }
}

template <Message M>
std::string Describe(const M& msg) {
  std::string out(TypeName(M::kType));
  DescribeField(out, msg);
  return out;
}

}  // namespace elk::protocol
