#pragma once
// One changelog record per metadata mutation, as a greppable text line that checks itself:
//
//   <version>: <ts>|<OP>(<arg>,<arg>,...)[:<result>]<TAB><crc32c of everything before, 8 hex>\n
//
// e.g. `1043: 1795449600|CREATE(1,report%2Etxt,f,420,0,0,0):17\t5A0C11E2`. Strings are
// percent-escaped so a record never holds a tab, newline or separator. See docs/changelog.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_time.h"
#include "common/status.h"

namespace elk::changelog {

struct Record {
  uint64_t version = 0;
  std::string body;  // "<ts>|<OP>(<args>)[:<result>]"
};

// The whole line, newline included.
std::string FormatRecord(uint64_t version, std::string_view body);
// Parses one line without its trailing newline; kCorruption on a bad shape or CRC.
Result<Record> ParseRecord(std::string_view line);

// Percent-escapes bytes that would break the record shape (and all non-printable ones).
std::string EscapeString(std::string_view raw);
Result<std::string> UnescapeString(std::string_view escaped);

// Builds a body: BodyWriter(ts, "CREATE").Num(1).Str("a b").Done(17) -> "ts|CREATE(1,a%20b):17".
class BodyWriter {
 public:
  BodyWriter(uint32_t ts, std::string_view op);
  BodyWriter& Num(uint64_t v);
  BodyWriter& Time(FileTime t);  // FileTimeText: "1577836800" or "1577836800.123456789"
  BodyWriter& Str(std::string_view s);
  BodyWriter& Char(char c);
  std::string Done();
  std::string Done(uint64_t result);
  size_t size() const { return out_.size(); }  // bytes so far (a record's size bound)

 private:
  void Sep();
  std::string out_;
  bool first_ = true;
};

// Splits a body back into its parts; arguments are read in order with typed getters.
class BodyReader {
 public:
  static Result<BodyReader> Parse(std::string_view body);

  uint32_t ts() const { return ts_; }
  const std::string& op() const { return op_; }
  bool has_result() const { return has_result_; }
  uint64_t result() const { return result_; }
  size_t arg_count() const { return args_.size(); }
  bool AtEnd() const { return next_ == args_.size(); }

  Result<uint64_t> Num();
  Result<FileTime> Time();  // also reads a bare u32-seconds number of the old layouts
  Result<std::string> Str();
  Result<char> Char();

 private:
  Result<std::string_view> NextArg();

  uint32_t ts_ = 0;
  std::string op_;
  std::vector<std::string> args_;
  size_t next_ = 0;
  bool has_result_ = false;
  uint64_t result_ = 0;
};

}  // namespace elk::changelog
