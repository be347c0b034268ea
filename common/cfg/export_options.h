#pragma once
// The OPTIONS column of mfsexports.cfg: "rw,alldirs,maproot=0:0,mingoal=2,...".
// Defaults follow MooseFS: read-only, root mapped to 999:999, goals 1..9, trash time
// 0..unbounded. See docs/config.md.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/cfg/id_resolver.h"
#include "common/status.h"

namespace elk::cfg {

struct ExportOptions {
  bool readonly = true;
  bool alldirs = false;
  bool dynamicip = false;
  bool ignoregid = false;
  bool admin = false;
  UserIds maproot{999, 999};
  std::optional<UserIds> mapall;                        // when set, every uid/gid maps to it
  std::optional<std::array<uint8_t, 16>> password_md5;  // MD5 of the password
  uint32_t mingoal = 1;
  uint32_t maxgoal = 9;
  uint32_t mintrashtime = 0;
  uint32_t maxtrashtime = UINT32_MAX;
};

// Parses a comma-separated option list onto the defaults. The message is the reason alone
// ("unknown option 'rx'", "mingoal 5 is above maxgoal 3").
Result<ExportOptions> ParseExportOptions(std::string_view text, const IdResolver& ids);

}  // namespace elk::cfg
