#pragma once
// The mount root's hidden `.masterinfo`: how the tools find the master and the session of
// a mount. Text, one line of `key=value` words (docs/tools.md):
//
//   master=127.0.0.1:9421 session=123 version=0.1.0 root_inode=1 folder=/sub
//
// `folder` is the mounted export folder (absent: "/"), percent-encoded: bytes up to
// space and '%' written as %XX.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::tools {

struct MasterInfo {
  std::string host;  // as the mount connected to it: a name or an address
  uint16_t port = 0;
  uint32_t session_id = 0;   // the mount's master session, which the tools join
  std::string version;       // the master's version, for messages; may be empty
  uint32_t root_inode = 1;   // the inode the mount shows as its root (mfsmount -S)
  std::string folder = "/";  // the export folder the mount's session is on (mfsmount -S)
};

// Parses the file's text. `master` and `session` are required; unknown keys are skipped so
// newer mounts can add keys; a repeated key or a malformed value is kCorruption.
Result<MasterInfo> ParseMasterInfo(std::string_view text);

// The inverse, for the mount that writes the file (and for tests).
std::string FormatMasterInfo(const MasterInfo& info);

}  // namespace elk::tools
