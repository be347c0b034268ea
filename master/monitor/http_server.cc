#include "master/monitor/http_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <utility>

#include "common/log/log.h"
#include "master/monitor/bounded_queue.h"
#include "master/monitor/gated_server.h"
#include "master/monitor/pages.h"

namespace elk::master::monitor {

void SnapshotBox::Publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard lock(mu_);
  current_ = std::move(snapshot);
}

std::shared_ptr<const Snapshot> SnapshotBox::Get() const {
  std::lock_guard lock(mu_);
  return current_;
}

HttpServer::HttpServer(std::shared_ptr<SnapshotBox> box, const HttpOptions& options)
    : box_(std::move(box)),
      server_(std::make_unique<GatedServer>(GateOptions{.per_address = options.max_per_address,
                                                        .request_timeout = options.io_timeout})) {}

HttpServer::~HttpServer() {
  // httplib's stop() does nothing until the accept loop runs, so repeat it until the thread
  // has left listen_after_bind (at most a few tries: Start waited for the loop to begin).
  while (thread_.joinable() && !done_.load()) {
    server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (thread_.joinable()) thread_.join();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpOptions& options,
                                                      std::shared_ptr<SnapshotBox> box) {
  std::unique_ptr<HttpServer> http(new HttpServer(std::move(box), options));  // private constructor
  httplib::Server& srv = *http->server_;
  size_t threads = options.threads == 0 ? 1 : options.threads;
  size_t cap = options.max_connections;
  // httplib takes ownership of the queue it is handed and deletes it when it stops.
  srv.new_task_queue = [threads, cap] { return new BoundedQueue(threads, cap); };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second master
  // share this port silently instead of failing to start.
  srv.set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  srv.set_payload_max_length(options.max_body);
  srv.set_read_timeout(options.io_timeout);
  srv.set_write_timeout(options.io_timeout);
  srv.set_keep_alive_timeout(options.io_timeout.count());
  http->Route();
  std::string host = options.host == "*" || options.host.empty() ? "0.0.0.0" : options.host;
  int port = options.port;
  if (port == 0)
    port = srv.bind_to_any_port(host);
  else if (!srv.bind_to_port(host, port))
    port = -1;
  if (port <= 0) {
    return Status(Code::kIo,
                  fmt::format("monitor: cannot listen on {}:{}", options.host, options.port));
  }
  http->port_ = static_cast<uint16_t>(port);
  HttpServer* raw = http.get();
  http->thread_ = std::thread([&srv, raw] {
    srv.listen_after_bind();
    raw->done_ = true;
  });
  // httplib's stop() is a no-op until the accept loop runs, so a server stopped right after
  // Start would never end: wait (bounded) for the loop before handing the server out.
  for (int i = 0; i < 500 && !srv.is_running(); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!srv.is_running()) return Status(Code::kIo, "monitor: the HTTP thread did not start");
  return http;
}

namespace {

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Error";
  }
}

void Reply(httplib::Response& res, std::string body, const char* type) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::move(body), type);
}

}  // namespace

void HttpServer::Route() {
  httplib::Server& srv = *server_;
  // One route for every page (pages.h); the same renderer answers the client port.
  srv.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    Page page = RenderPage(*box_->Get(), req.path, req.get_param_value("sections"));
    res.status = page.status;
    if (page.status == 200) Reply(res, std::move(page.body), page.content_type.c_str());
  });
  auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
  };
  srv.Post(".*", refuse).Put(".*", refuse).Patch(".*", refuse).Delete(".*", refuse);
  srv.Options(".*", refuse);
  // Every error answer gets a short plain-text body saying what it is.
  srv.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_content(fmt::format("{} {}\n", res.status, Reason(res.status)),
                    "text/plain; charset=utf-8");
  });
}

}  // namespace elk::master::monitor
