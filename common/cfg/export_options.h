#pragma once
// The OPTIONS column of mfsexports.cfg: "rw,alldirs,maproot=0:0,mingoal=2,...".
// Defaults follow MooseFS: read-only, root mapped to 999:999, goals 1..9, trash time
// 0..unbounded. See docs/config.md.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cfg/id_resolver.h"
#include "common/status.h"

namespace elk::cfg {

struct ExportOptions {
  bool readonly = true;
  bool alldirs = false;
  bool dynamicip = false;
  bool ignoregid = false;
  bool admin = false;        // also set by MooseFS 1.6's canchangequota
  bool nonrootmeta = false;  // the meta mount is for every user (ElkFS never limits it)
  std::string minversion;    // "X.Y.Z" as written; see docs/security.md
  UserIds maproot{999, 999};
  std::optional<UserIds> mapall;                        // when set, every uid/gid maps to it
  std::optional<std::array<uint8_t, 16>> password_md5;  // MD5 of the password
  uint32_t mingoal = 1;
  uint32_t maxgoal = 9;
  uint32_t mintrashtime = 0;
  uint32_t maxtrashtime = UINT32_MAX;
};

// Parses a comma-separated option list onto the defaults. The message is the reason alone
// ("unknown option 'rx'", "mingoal 5 is above maxgoal 3"). An option MooseFS knows and
// ElkFS accepts without acting on it fully adds a note to `notes` (when given), naming the
// option and what is not done; an option whose being ignored would widen access (MooseFS
// 4's umask= and disable=) is refused, as is an unknown one (it may be a mistyped
// restriction).
Result<ExportOptions> ParseExportOptions(std::string_view text, const IdResolver& ids,
                                         std::vector<std::string>* notes = nullptr);

}  // namespace elk::cfg
