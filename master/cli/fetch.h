#pragma once
// Reads one section of the master's monitor (GET /api/v1/<section>) with cpp-httplib.

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace elk::cli {

// kCantConnect when the monitor cannot be reached (the message names host:port and why),
// kIo on an HTTP error or a body that is not JSON.
Result<nlohmann::json> FetchSection(const std::string& host, uint16_t port,
                                    const std::string& section, int timeout_seconds);

}  // namespace elk::cli
