#pragma once
// Names and paths of volumes in the file system, shared by mfsvolume and mfsiscsid:
//   <VOLUMES_PATH>/volume-<name>                     a volume
//   <VOLUMES_PATH>/.snapshots/volume-<name>/snapshot-<snap>   its snapshots

#include <string>
#include <string_view>

#include "common/protocol/records.h"
#include "common/status.h"
#include "mount/client/master_session.h"

namespace elk::volume {

inline constexpr std::string_view kVolumePrefix = "volume-";
inline constexpr std::string_view kSnapshotPrefix = "snapshot-";
inline constexpr std::string_view kSnapshotsFolder = ".snapshots";

// Letters, digits, '.', '_', '-', 1 to 200 bytes, not starting with '.': a Cinder UUID fits.
Status CheckName(std::string_view what, std::string_view name);
// Root's credentials: the volume tools act for the operator.
protocol::Creds RootCreds();
// Walks an absolute path from the session's root.
Result<protocol::Attr> LookupPath(client::MasterSession& m, std::string_view path);
// Creates the missing folders of an absolute path (mode 0755), returns the last one.
Result<protocol::Attr> MakePath(client::MasterSession& m, std::string_view path);

}  // namespace elk::volume
