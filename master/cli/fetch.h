#pragma once
// Reads the master's monitor through its client port (9421), as MooseFS's mfscli and CGI
// read their master: a hello as a monitor reader, then CLTOMA_MONITOR, no session. Each
// master answers about itself (a follower shows its own role and lag).

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace elk::cli {

struct MonitorPage {
  int http_status = 200;
  std::string content_type;
  std::string body;
};

// Any page ("/", "/mfs.cgi", "/metrics", "/api/v1/info"), `sections` as mfs.cgi's parameter.
// kCantConnect when the master cannot be reached (the message names host:port and why);
// kIo when it answers something else than a page.
Result<MonitorPage> FetchPage(const std::string& host, uint16_t port, const std::string& path,
                              const std::string& sections, int timeout_seconds);

// One JSON section (/api/v1/<section>); kIo on a status other than 200 or a body not JSON.
Result<nlohmann::json> FetchSection(const std::string& host, uint16_t port,
                                    const std::string& section, int timeout_seconds);

}  // namespace elk::cli
