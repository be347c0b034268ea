#pragma once
// The ADDRESS column of mfsexports.cfg: "*", "a.b.c.d", "a.b.c.d/bits",
// "a.b.c.d/m.m.m.m" or "a.b.c.d-e.f.g.h", as an inclusive range of host-order addresses.

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace elk::cfg {

struct AddressRange {
  uint32_t from = 0;
  uint32_t to = 0;
  bool Contains(uint32_t ip) const { return from <= ip && ip <= to; }
};

// The message is the reason alone ("'10.0.0.0/33': prefix length over 32").
Result<AddressRange> ParseExportAddress(std::string_view text);

}  // namespace elk::cfg
