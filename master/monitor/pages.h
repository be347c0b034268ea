#pragma once
// Every page the monitor serves, by path, rendered from one snapshot: what the HTTP server
// answers and what the master answers on its client port (CLTOMA_MONITOR, read by mfscli and
// mfscgiserv), so both show the same thing.
//
//   "/"                 the page for people, every section
//   "/mfs.cgi"          the same page, only the MooseFS `sections` asked for ("IN|CS|HD")
//   "/metrics"          Prometheus text
//   "/api/v1/<name>"    one JSON section
// Anything else is 404.

#include <string>
#include <string_view>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

struct Page {
  int status = 200;
  std::string content_type;
  std::string body;
};

// `sections`: the value of MooseFS's `sections=` parameter, codes separated by '|'; empty
// means every section. Only "/mfs.cgi" and "/" read it.
Page RenderPage(const Snapshot& s, std::string_view path, std::string_view sections);

}  // namespace elk::master::monitor
