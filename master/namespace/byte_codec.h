#pragma once
// Little helpers for the metadata image's binary sections: unsigned LEB128 varints and
// length-prefixed strings. The reader is bounds-checked: every getter returns false (and
// stays failed) rather than read past the end.

#include <cstdint>
#include <string>
#include <string_view>

namespace elk::master {

class ByteWriter {
 public:
  void Var(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Str(std::string_view s) {
    Var(s.size());
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool Var(uint64_t* v) {
    uint64_t out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Fail();
      auto b = static_cast<uint8_t>(data_[pos_++]);
      out |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) {
        *v = out;
        return true;
      }
    }
    return Fail();
  }
  // A varint that must fit in T and not exceed max.
  template <typename T>
  bool Num(T* v, uint64_t max = static_cast<uint64_t>(T(~T{0}))) {
    uint64_t x = 0;
    if (!Var(&x) || x > max) return Fail();
    *v = static_cast<T>(x);
    return true;
  }
  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return Fail();
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Str(std::string* s, size_t max_len) {
    uint64_t n = 0;
    if (!Var(&n) || n > max_len || n > data_.size() - pos_) return Fail();
    s->assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  // A count of items each at least min_bytes long: never more than the bytes left allow.
  bool Count(uint64_t* n, size_t min_bytes = 1) {
    if (!Var(n) || *n > (data_.size() - pos_) / (min_bytes == 0 ? 1 : min_bytes)) return Fail();
    return true;
  }
  bool AtEnd() const { return pos_ == data_.size(); }
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }

 private:
  bool Fail() {
    ok_ = false;
    pos_ = data_.size();
    return false;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace elk::master
