#pragma once
// The monitor's JSON API (/api/v1/<section>), rendered from a snapshot. Each section is an
// object; lists are under a key named after the section, so fields can be added later
// without breaking readers (mfscli among them). docs/monitor.md lists every field.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

nlohmann::json InfoJson(const Snapshot& s);
nlohmann::json ChunkserversJson(const Snapshot& s);
nlohmann::json DisksJson(const Snapshot& s);
nlohmann::json SessionsJson(const Snapshot& s);
nlohmann::json MetaloggersJson(const Snapshot& s);
nlohmann::json ChunksJson(const Snapshot& s);
nlohmann::json ExportsJson(const Snapshot& s);
nlohmann::json OpsJson(const Snapshot& s);
nlohmann::json LocksJson(const Snapshot& s);
nlohmann::json OpenFilesJson(const Snapshot& s);
nlohmann::json HistoryJson(const Snapshot& s);  // the charts' points and running totals

// The names served under /api/v1/.
const std::vector<std::string>& ApiSections();
// The JSON text of one section, or nullopt for an unknown name.
std::optional<std::string> RenderApi(const Snapshot& s, std::string_view section);

}  // namespace elk::master::monitor
