#include "master/monitor/pages.h"

#include "master/monitor/html.h"
#include "master/monitor/json.h"
#include "master/monitor/prometheus.h"

namespace elk::master::monitor {

Page RenderPage(const Snapshot& s, std::string_view path, std::string_view sections) {
  constexpr std::string_view kApi = "/api/v1/";
  if (path == "/" || path == "/mfs.cgi") {
    return {200, "text/html; charset=utf-8", RenderHtml(s, sections)};
  }
  if (path == "/metrics") return {200, std::string(kPrometheusContentType), RenderPrometheus(s)};
  if (path.starts_with(kApi)) {
    if (auto body = RenderApi(s, path.substr(kApi.size()))) {
      return {200, "application/json", std::move(*body)};
    }
  }
  return {404, "text/plain; charset=utf-8", "404 Not Found\n"};
}

}  // namespace elk::master::monitor
