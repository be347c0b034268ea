#pragma once
// The one generic encoder and the one generic decoder. Both walk a message's ELK_FIELDS
// list, so sender and receiver cannot drift. Field kinds, all big-endian:
//
//   bool                      u8, 0 or 1 (anything else is refused)
//   integers, any width/sign  their width, two's complement
//   enums                     their underlying type; enums with kLast refuse values >= kLast
//   std::string               u32 length + bytes
//   std::vector<uint8_t>      u32 length + bytes (copied)
//   Bytes (span view)         u32 length + bytes (decoded as a view into the payload)
//   std::vector<T>            u32 count + items; the count is checked against what is left
//                             before anything is allocated
//   std::optional<T>          u8 presence (0 or 1) + T when present
//   a Record (ELK_FIELDS)     its fields in order
//
//   auto frame = EncodeFrame(CltomaLookup{.msgid = 7, .parent = 1, .name = "etc"});
//   Result<CltomaLookup> m = Decode<CltomaLookup>(view.payload);

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/frame.h"
#include "common/protocol/message_types.h"
#include "common/protocol/wire.h"
#include "common/status.h"

namespace elk::protocol {

template <typename T>
inline constexpr bool kUnsupportedField = false;

// Error texts and statuses, out of line so the templates stay small.
namespace detail {
std::string CountTooLarge(uint32_t count, size_t min_item, size_t remaining);
std::string BadFlag(unsigned value);
std::string BadEnum(int64_t value);
Status TrailingBytes(uint32_t type, size_t count);
Status WrongType(uint32_t expected, uint32_t got);
}  // namespace detail

// ---- sizes ----------------------------------------------------------------------------

// The fewest bytes any value of T encodes to (bounds vector counts before allocating).
template <typename T>
constexpr size_t MinEncodedSize() {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> || std::is_enum_v<T>) {
    return sizeof(T);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
                       IsVector<T>::value) {
    return 4;
  } else if constexpr (IsOptional<T>::value) {
    return 1;
  } else if constexpr (Record<T>) {
    return []<typename... F>(std::type_identity<std::tuple<F...>>) {
      return (size_t{0} + ... + MinEncodedSize<F>());
    }(std::type_identity<FieldTypes<T>>{});
  } else {
    static_assert(kUnsupportedField<T>, "unsupported wire field kind");
    return 0;
  }
}

template <typename T>
size_t EncodedSize(const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
    return 4 + v.size();
  } else if constexpr (IsVector<T>::value) {
    using E = typename T::value_type;
    if constexpr (std::is_integral_v<E> || std::is_enum_v<E>) {
      return 4 + v.size() * sizeof(E);
    } else {
      size_t n = 4;
      for (const E& e : v)
        n += EncodedSize(e);
      return n;
    }
  } else if constexpr (IsOptional<T>::value) {
    return 1 + (v ? EncodedSize(*v) : 0);
  } else if constexpr (Record<T>) {
    return std::apply([](const auto&... f) { return (size_t{0} + ... + EncodedSize(f)); },
                      v.fields());
  } else {
    return MinEncodedSize<T>();
  }
}

// ---- encoding -------------------------------------------------------------------------

// Writes `v` at `out` and advances it past. The buffer must hold EncodedSize(v) bytes.
// Lengths are not checked here: callers check the whole payload against MaxPayload
// first, which is far below 4 GiB.
template <typename T>
void PutField(uint8_t*& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    PutInt<uint8_t>(out, v ? 1 : 0);
  } else if constexpr (std::is_enum_v<T>) {
    PutInt(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_integral_v<T>) {
    PutInt(out, v);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
                       std::is_same_v<T, std::vector<uint8_t>>) {
    PutInt(out, static_cast<uint32_t>(v.size()));
    PutRaw(out, v.data(), v.size());
  } else if constexpr (IsVector<T>::value) {
    PutInt(out, static_cast<uint32_t>(v.size()));
    for (const auto& e : v)
      PutField(out, e);
  } else if constexpr (IsOptional<T>::value) {
    PutInt<uint8_t>(out, v ? 1 : 0);
    if (v) PutField(out, *v);
  } else if constexpr (Record<T>) {
    std::apply([&out](const auto&... f) { (PutField(out, f), ...); }, v.fields());
  } else {
    static_assert(kUnsupportedField<T>, "unsupported wire field kind");
  }
}

// Checks `size` against the type's limit; the Status names the message.
Status CheckPayloadSize(uint32_t type, size_t size);

// Appends header + payload of `msg` to `out` (the event loop's output buffer). Refuses a
// message larger than its type's MaxPayload, leaving `out` unchanged.
template <Message M>
Status AppendFrame(const M& msg, std::vector<uint8_t>& out) {
  size_t size = EncodedSize(msg);
  ELK_RETURN_IF_ERROR(CheckPayloadSize(M::kType, size));
  size_t at = out.size();
  out.resize(at + kFrameHeaderSize + size);
  uint8_t* p = out.data() + at;
  EncodeFrameHeader(FrameHeader{M::kType, static_cast<uint32_t>(size)}, p);
  p += kFrameHeaderSize;
  PutField(p, msg);
  assert(p == out.data() + out.size());
  return Status::Ok();
}

// Header + payload of `msg` in a new buffer.
template <Message M>
Result<std::vector<uint8_t>> EncodeFrame(const M& msg) {
  std::vector<uint8_t> out;
  ELK_RETURN_IF_ERROR(AppendFrame(msg, out));
  return out;
}

// The payload alone (no header).
template <Message M>
Result<std::vector<uint8_t>> EncodePayload(const M& msg) {
  size_t size = EncodedSize(msg);
  ELK_RETURN_IF_ERROR(CheckPayloadSize(M::kType, size));
  std::vector<uint8_t> out(size);
  uint8_t* p = out.data();
  PutField(p, msg);
  assert(p == out.data() + out.size());
  return out;
}

// ---- decoding -------------------------------------------------------------------------

template <typename T>
bool GetField(Reader& r, T& v);

template <typename T>
bool GetBlob(Reader& r, T& v) {
  uint32_t len = 0;
  const uint8_t* p = nullptr;
  if (!r.GetInt(&len) || !r.Take(len, &p)) return false;
  if constexpr (std::is_same_v<T, Bytes>) {
    v = Bytes(p, len);
  } else {
    v.assign(p, p + len);
  }
  return true;
}

template <typename E>
bool GetVector(Reader& r, std::vector<E>& v) {
  uint32_t count = 0;
  if (!r.GetInt(&count)) return false;
  constexpr size_t kMin = MinEncodedSize<E>() > 0 ? MinEncodedSize<E>() : 1;
  if (count > r.remaining() / kMin)
    return r.Fail(detail::CountTooLarge(count, kMin, r.remaining()));
  v.clear();
  v.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!GetField(r, v[i])) {
      r.PrependIndex(i);
      return false;
    }
  }
  return true;
}

template <Record T>
bool GetRecord(Reader& r, T& v) {
  [[maybe_unused]] auto fs = v.fields();
  return [&]<size_t... I>(std::index_sequence<I...>) {
    [[maybe_unused]] auto one = [&r](auto& field, size_t index) {
      if (GetField(r, field)) return true;
      r.PrependField(FieldName(T::kFieldNames, index));
      return false;
    };
    return (one(std::get<I>(fs), I) && ...);
  }
  (std::make_index_sequence<std::tuple_size_v<decltype(fs)>>{});
}

template <typename T>
bool GetField(Reader& r, T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    uint8_t b = 0;
    if (!r.GetInt(&b)) return false;
    if (b > 1) return r.Fail(detail::BadFlag(b));
    v = b == 1;
    return true;
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> u{};
    if (!r.GetInt(&u)) return false;
    if constexpr (BoundedEnum<T>) {
      if (u >= static_cast<std::underlying_type_t<T>>(T::kLast))
        return r.Fail(detail::BadEnum(static_cast<int64_t>(u)));
    }
    v = static_cast<T>(u);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    return r.GetInt(&v);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes> ||
                       std::is_same_v<T, std::vector<uint8_t>>) {
    return GetBlob(r, v);
  } else if constexpr (IsVector<T>::value) {
    return GetVector(r, v);
  } else if constexpr (IsOptional<T>::value) {
    uint8_t present = 0;
    if (!r.GetInt(&present)) return false;
    if (present > 1) return r.Fail(detail::BadFlag(present));
    if (present == 0) {
      v.reset();
      return true;
    }
    return GetField(r, v.emplace());
  } else if constexpr (Record<T>) {
    return GetRecord(r, v);
  } else {
    static_assert(kUnsupportedField<T>, "unsupported wire field kind");
    return false;
  }
}

// Decodes one payload of M. Every read is bounds-checked; trailing bytes are refused. On
// failure the kProtocol Status names the message, the field path and the offset. Bytes
// fields of the result point into `payload`.
template <Message M>
Result<M> Decode(std::span<const uint8_t> payload) {
  if (payload.size() > MaxPayload(M::kType)) return CheckPayloadSize(M::kType, payload.size());
  M msg{};
  Reader r(payload);
  if (!GetRecord(r, msg)) return r.ToStatus(TypeName(M::kType));
  if (r.remaining() != 0) return detail::TrailingBytes(M::kType, r.remaining());
  return msg;
}

// Decodes a received frame, first checking that it is of M's type.
template <Message M>
Result<M> Decode(const FrameView& frame) {
  if (frame.type != M::kType) return detail::WrongType(M::kType, frame.type);
  return Decode<M>(frame.payload);
}

}  // namespace elk::protocol
