#pragma once
// Big-endian primitives under the generic codec: appending integers and raw bytes to an
// output buffer, and a bounds-checked cursor over a received payload that remembers why
// and where decoding failed.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"

namespace elk::protocol {

// A non-owning byte view field. It encodes like std::vector<uint8_t> (u32 length, bytes),
// but decodes as a view into the received payload, so block data is never copied on the
// way in. The decoded message is valid only while that payload is.
using Bytes = std::span<const uint8_t>;

// Writers store at `p` and advance it; the caller has sized the buffer beforehand (the
// codec computes the exact encoded size first), so there is one allocation per frame.
template <typename T>
requires std::is_integral_v<T>
inline void PutInt(uint8_t*& p, T value) {
  using U = std::make_unsigned_t<T>;
  auto v = static_cast<U>(value);
  for (size_t i = sizeof(U); i-- > 0;) {
    p[i] = static_cast<uint8_t>(v);
    if constexpr (sizeof(U) > 1) v = static_cast<U>(v >> 8);
  }
  p += sizeof(U);
}

inline void PutRaw(uint8_t*& p, const void* data, size_t len) {
  if (len == 0) return;
  std::memcpy(p, data, len);
  p += len;
}

// Reads fields front to back. Every read checks the remaining length first; the first
// failure is kept (why, at which offset, in which field) and turned into a Status.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}

  size_t remaining() const { return in_.size() - pos_; }
  size_t offset() const { return pos_; }

  // Hands out the next `n` bytes, or fails with "truncated".
  bool Take(size_t n, const uint8_t** p) {
    if (n > remaining()) return Truncated(n);
    *p = in_.data() + pos_;
    pos_ += n;
    return true;
  }

  template <typename T>
  requires std::is_integral_v<T>
  bool GetInt(T* value) {
    using U = std::make_unsigned_t<T>;
    const uint8_t* p = nullptr;
    // The null test never fires (Take succeeded on a non-empty span) but lets GCC's
    // -Wnull-dereference see that p is valid.
    if (!Take(sizeof(U), &p) || p == nullptr) return false;
    U v = 0;
    for (size_t i = 0; i < sizeof(U); ++i)
      v = static_cast<U>((v << 8) | p[i]);
    *value = static_cast<T>(v);
    return true;
  }

  // Records why decoding stopped; returns false so callers can `return r.Fail(...)`.
  bool Fail(std::string why);
  // Called while unwinding: builds the field path ("attr.mtime", "copies[2].port").
  void PrependField(std::string_view name);
  void PrependIndex(size_t index);

  // "CLTOMA_LOOKUP.name: truncated: needs 4 bytes, 2 left (offset 8)" as kProtocol.
  Status ToStatus(std::string_view message_name) const;

 private:
  bool Truncated(size_t needed);

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  size_t fail_offset_ = 0;
  std::string why_;
  std::string path_;
};

}  // namespace elk::protocol
