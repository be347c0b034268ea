#pragma once
// What the integration tests ask of a running cluster from outside: a condition polled
// until a deadline, a master's monitor, a whole log file. Header-only: the tests that use
// it already link cpp-httplib and nlohmann-json.

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

namespace elk::test {

// Polls done() every `step` for at most `limit`, and once more at the end.
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit,
                    std::chrono::milliseconds step = std::chrono::milliseconds(100)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(step);
  }
  return done();
}

// /api/v1/info of the monitor on 127.0.0.1:port; an empty object when it does not answer
// within the time-outs (a master paused or gone).
inline nlohmann::json MonitorInfo(uint16_t port, std::chrono::seconds connect_timeout,
                                  std::chrono::seconds read_timeout) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(connect_timeout);
  c.set_read_timeout(read_timeout);
  auto r = c.Get("/api/v1/info");
  if (!r || r->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(r->body, nullptr, false);
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace elk::test
