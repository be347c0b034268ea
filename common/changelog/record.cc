#include "common/changelog/record.h"

#include <fmt/format.h>

#include <charconv>

#include "common/crc/crc32c.h"

namespace elk::changelog {
namespace {

bool NeedsEscape(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return true;
  switch (c) {
    case '%':
    case ',':
    case '(':
    case ')':
    case '|':
    case ':':
    case '\\':
    case '"':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

Status Bad(std::string_view why, std::string_view text) {
  return Status(Code::kCorruption,
                fmt::format("changelog record {}: '{}'", why, text.substr(0, 120)));
}

}  // namespace

std::string FormatRecord(uint64_t version, std::string_view body) {
  std::string line = fmt::format("{}: {}", version, body);
  uint32_t crc = crc::Crc32c(0, line.data(), line.size());
  line += fmt::format("\t{:08X}\n", crc);
  return line;
}

Result<Record> ParseRecord(std::string_view line) {
  size_t tab = line.rfind('\t');
  if (tab == std::string_view::npos || line.size() - tab != 9) return Bad("has no checksum", line);
  uint32_t stored = 0;
  if (!ParseNumber(line.substr(tab + 1), stored, 16)) return Bad("has a bad checksum field", line);
  std::string_view text = line.substr(0, tab);
  if (crc::Crc32c(0, text.data(), text.size()) != stored) return Bad("fails its checksum", line);
  size_t colon = text.find(": ");
  Record r;
  if (colon == std::string_view::npos || !ParseNumber(text.substr(0, colon), r.version)) {
    return Bad("has no version", line);
  }
  r.body = std::string(text.substr(colon + 2));
  return r;
}

std::string EscapeString(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (NeedsEscape(c)) {
      out += fmt::format("%{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

Result<std::string> UnescapeString(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); i++) {
    if (escaped[i] != '%') {
      out += escaped[i];
      continue;
    }
    if (i + 2 >= escaped.size()) return Bad("has a cut escape", escaped);
    int hi = HexValue(escaped[i + 1]);
    int lo = HexValue(escaped[i + 2]);
    if (hi < 0 || lo < 0) return Bad("has a bad escape", escaped);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

BodyWriter::BodyWriter(uint32_t ts, std::string_view op) {
  out_ = fmt::format("{}|{}(", ts, op);
}

void BodyWriter::Sep() {
  if (!first_) out_ += ',';
  first_ = false;
}

BodyWriter& BodyWriter::Num(uint64_t v) {
  Sep();
  out_ += fmt::format("{}", v);
  return *this;
}

BodyWriter& BodyWriter::Time(FileTime t) {
  Sep();
  out_ += FileTimeText(t);
  return *this;
}

BodyWriter& BodyWriter::Str(std::string_view s) {
  Sep();
  out_ += '"';
  out_ += EscapeString(s);
  out_ += '"';
  return *this;
}

BodyWriter& BodyWriter::Char(char c) {
  return Str(std::string_view(&c, 1));
}

std::string BodyWriter::Done() {
  return out_ + ')';
}

std::string BodyWriter::Done(uint64_t result) {
  return fmt::format("{}):{}", out_, result);
}

Result<BodyReader> BodyReader::Parse(std::string_view body) {
  BodyReader r;
  size_t bar = body.find('|');
  size_t open = body.find('(');
  size_t close = body.rfind(')');
  if (bar == std::string_view::npos || open == std::string_view::npos ||
      close == std::string_view::npos || open < bar || close < open) {
    return Bad("body has no OP(args)", body);
  }
  if (!ParseNumber(body.substr(0, bar), r.ts_)) return Bad("body has a bad time", body);
  r.op_ = std::string(body.substr(bar + 1, open - bar - 1));
  std::string_view args = body.substr(open + 1, close - open - 1);
  std::string_view rest = body.substr(close + 1);
  if (!rest.empty()) {
    if (rest[0] != ':' || !ParseNumber(rest.substr(1), r.result_)) {
      return Bad("body has a bad result", body);
    }
    r.has_result_ = true;
  }
  // "OP()" has no arguments; strings are quoted, so no argument is ever empty text.
  while (!args.empty()) {
    size_t comma = args.find(',');
    r.args_.emplace_back(args.substr(0, comma));
    if (comma == std::string_view::npos) break;
    args.remove_prefix(comma + 1);
    if (args.empty()) return Bad("body has an empty argument", body);
  }
  return r;
}

Result<std::string_view> BodyReader::NextArg() {
  if (next_ >= args_.size()) {
    return Status(Code::kCorruption, fmt::format("changelog {}: too few arguments", op_));
  }
  return std::string_view(args_[next_++]);
}

Result<uint64_t> BodyReader::Num() {
  auto a = NextArg();
  if (!a.ok()) return a.status();
  uint64_t v = 0;
  if (!ParseNumber(*a, v))
    return Bad(fmt::format("{} argument {} is not a number", op_, next_), *a);
  return v;
}

Result<FileTime> BodyReader::Time() {
  auto a = NextArg();
  if (!a.ok()) return a.status();
  FileTime t = 0;
  if (!ParseFileTimeText(*a, &t))
    return Bad(fmt::format("{} argument {} is not a time", op_, next_), *a);
  return t;
}

Result<std::string> BodyReader::Str() {
  auto a = NextArg();
  if (!a.ok()) return a.status();
  std::string_view q = *a;
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') {
    return Bad(fmt::format("{} argument {} is not a string", op_, next_), q);
  }
  return UnescapeString(q.substr(1, q.size() - 2));
}

Result<char> BodyReader::Char() {
  auto s = Str();
  if (!s.ok()) return s.status();
  if (s->size() != 1) return Bad(fmt::format("{} argument {} is not one char", op_, next_), *s);
  return (*s)[0];
}

}  // namespace elk::changelog
