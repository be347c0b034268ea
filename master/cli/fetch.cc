#include "master/cli/fetch.h"

#include <fmt/format.h>
#include <httplib.h>

namespace elk::cli {

Result<nlohmann::json> FetchSection(const std::string& host, uint16_t port,
                                    const std::string& section, int timeout_seconds) {
  httplib::Client client(host, port);
  client.set_connection_timeout(timeout_seconds, 0);
  client.set_read_timeout(timeout_seconds, 0);
  std::string path = "/api/v1/" + section;
  auto res = client.Get(path);
  if (!res) {
    return Status(Code::kCantConnect,
                  fmt::format("cannot reach the master's monitor at {}:{} ({}); is mfsmaster "
                              "running with HTTP_LISTEN_PORT = {}?",
                              host, port, httplib::to_string(res.error()), port));
  }
  if (res->status != 200) {
    return Status(Code::kIo, fmt::format("{}:{}{}: HTTP {}", host, port, path, res->status));
  }
  auto j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(Code::kIo, fmt::format("{}:{}{}: the answer is not JSON", host, port, path));
  }
  return j;
}

}  // namespace elk::cli
