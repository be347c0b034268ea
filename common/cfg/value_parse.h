#pragma once
// Typed value parsers for config files. Each takes the trimmed text of a value and returns
// the value or a Status whose message is the reason alone ("'abc' is not an integer"); the
// caller adds file, line and key. Units are documented in docs/config.md.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace elk::cfg {

// Decimal, optional sign. "0x" hex is accepted; leading zeros are decimal, not octal.
Result<int64_t> ParseInteger(std::string_view text);

// Bytes with an optional unit: k/K, M, G, T, P, E, each optionally followed by "i" and/or
// "B" ("64MiB", "1G", "512M", "10GB"). Every unit is a power of 1024, as MooseFS reads
// HDD_LEAVE_SPACE_DEFAULT. A fractional number is allowed with a unit ("1.5GiB").
Result<uint64_t> ParseSize(std::string_view text);

// 0/1, yes/no, true/false, on/off, y/n (any case).
Result<bool> ParseBool(std::string_view text);

// Seconds: a plain number, or a sequence of number+unit with units s, m, h, d, w
// ("90", "2h", "1d12h", "1w").
Result<int64_t> ParseDuration(std::string_view text);

// A finite decimal floating point number.
Result<double> ParseDouble(std::string_view text);

// A TCP/UDP port: 1..65535.
Result<uint16_t> ParsePort(std::string_view text);

// "*" (any address), a dotted IPv4 address, or a host name (letters, digits, '-', '.').
Result<std::string> ParseHost(std::string_view text);

// An octal file mode mask such as "027" or "0022" (FILE_UMASK): 0..0777.
Result<uint32_t> ParseOctalMode(std::string_view text);

// A dotted IPv4 address to a host-order number.
Result<uint32_t> ParseIPv4(std::string_view text);

}  // namespace elk::cfg
