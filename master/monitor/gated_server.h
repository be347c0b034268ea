#pragma once
// cpp-httplib's Server with the monitor's own connection rules. httplib 0.11 hands its task
// queue a closure, never the socket, and serves a connection for as long as each read
// arrives within the read time-out, so by itself it can cap neither the connections of one
// address nor a client that sends its request a byte every few seconds. This subclass
// serves each accepted socket itself, through httplib's protected process_request:
//
// - at most `per_address` connections of one address are served at once; one more gets a
//   short 503 and is closed (logged at most once a minute);
// - a request must arrive whole within `request_timeout` from the moment the connection
//   (or the previous request) began waiting for it, whatever its pace;
// - keep-alive as httplib's own: at most keep_alive_max_count requests per connection.

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace elk::master::monitor {

struct GateOptions {
  size_t per_address = 4;                   // HTTP_MAX_CONNECTIONS_PER_IP; 0: no cap
  std::chrono::seconds request_timeout{5};  // whole request, from first byte awaited
};

class GatedServer : public httplib::Server {
 public:
  explicit GatedServer(GateOptions options) : options_(options) {}

  // Connections refused because their address had per_address open.
  size_t refused() const;

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool Admit(const std::string& address);
  void Release(const std::string& address);
  bool Serve(socket_t sock);

  const GateOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, size_t> open_;  // address -> connections being served
  size_t refused_ = 0;
  std::chrono::steady_clock::time_point last_log_{};
};

}  // namespace elk::master::monitor
