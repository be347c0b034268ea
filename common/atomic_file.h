#pragma once
// Whole files that survive a crash: the one way every ElkFS program writes a file it
// replaces as a whole (images, sessions.mfs, iSCSI exports, restore output, the
// metalogger's image). The bytes go to PATH.tmp, which is fsynced and renamed over PATH,
// and the folder is fsynced, so after a crash PATH holds the old bytes or the new ones,
// never a mix or nothing.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace elk {

// The atomic write above, the new file with `mode`.
Status WriteFileAtomically(const std::string& path, std::string_view bytes, mode_t mode = 0644);

// Its steps, for writers that do something between them (keep a previous version, commit
// a log): the bytes written to `path` and fsynced; a folder's entries fsynced.
Status WriteFileSynced(const std::string& path, std::string_view bytes, mode_t mode = 0644);
Status SyncDir(const std::string& dir);

// The folder part of a path ("." for a bare name).
std::string DirOf(const std::string& path);

}  // namespace elk
