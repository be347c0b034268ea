#pragma once
// The monitor's HTTP server: cpp-httplib on its own threads, serving only from the latest
// published snapshot. The master's loop publishes (SnapshotBox::Publish swaps a pointer
// under a mutex) and never waits on HTTP; a slow or hostile client costs an HTTP thread,
// never the loop.
//
//   auto box = std::make_shared<SnapshotBox>();
//   box->Publish(std::make_shared<const Snapshot>(first));
//   auto http = HttpServer::Start({.host = "127.0.0.1", .port = 0}, box);
//   ... (*http)->port() ...
//
// Read-only: GET and HEAD; any other method answers 405, an unknown path 404, a request
// the parser refuses 400. Nothing is served from files.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "master/monitor/snapshot.h"

namespace httplib {
class Server;
}

namespace elk::master::monitor {

// The hand-over point between the loop (writer) and the HTTP threads (readers).
class SnapshotBox {
 public:
  void Publish(std::shared_ptr<const Snapshot> snapshot);
  // Never null once something was published; an empty snapshot before that.
  std::shared_ptr<const Snapshot> Get() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_ = std::make_shared<const Snapshot>();
};

struct HttpOptions {
  std::string host = "*";  // "*": every interface
  uint16_t port = 9425;    // 0: an ephemeral port (tests)
  size_t threads = 8;      // requests served at once
  // A request must arrive whole within this, and each write find room within it.
  std::chrono::seconds io_timeout{5};
  size_t max_body = 1024;  // bytes of request body accepted (GET needs none)
  // Connections held at once, served or waiting (bounded_queue.h); HTTP_MAX_CONNECTIONS.
  size_t max_connections = 64;
  // Connections of one address served at once (gated_server.h); HTTP_MAX_CONNECTIONS_PER_IP.
  // Below `threads`, so one address never holds every serving thread. 0: no cap.
  size_t max_per_address = 4;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                   std::shared_ptr<SnapshotBox> box);
  ~HttpServer();  // stops serving and joins the threads
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }

 private:
  HttpServer(std::shared_ptr<SnapshotBox> box, const HttpOptions& options);
  void Route();

  std::shared_ptr<SnapshotBox> box_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> done_{false};  // the serving thread has returned
  uint16_t port_ = 0;
};

}  // namespace elk::master::monitor
