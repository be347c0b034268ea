#include "master/cgi/cgi_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdio>

#include "master/cli/fetch.h"

namespace elk::cgi {
namespace {

constexpr int kMasterTimeoutSeconds = 10;
constexpr size_t kLongestPath = 128;  // every page's path is short (CLTOMA_MONITOR is small)

void Plain(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain; charset=utf-8");
}

}  // namespace

CgiServer::CgiServer(const Options& options)
    : options_(options), server_(std::make_unique<httplib::Server>()) {}

CgiServer::~CgiServer() = default;

Result<std::unique_ptr<CgiServer>> CgiServer::Bind(const Options& options) {
  std::unique_ptr<CgiServer> cgi(new CgiServer(options));
  cgi->Route();
  const std::string host = options.bind_host == "*" ? "0.0.0.0" : options.bind_host;
  int port = options.bind_port == 0
                 ? cgi->server_->bind_to_any_port(host)
                 : (cgi->server_->bind_to_port(host, options.bind_port) ? options.bind_port : -1);
  if (port <= 0) {
    return Status(Code::kCantConnect,
                  fmt::format("cannot listen on {}:{} (in use? mfsmaster's own monitor serves "
                              "the same pages on HTTP_LISTEN_PORT, 9425 by default: set it "
                              "to 0 to give the port to mfscgiserv)",
                              options.bind_host, options.bind_port));
  }
  cgi->port_ = static_cast<uint16_t>(port);
  return cgi;
}

void CgiServer::Serve() {
  server_->listen_after_bind();
}

void CgiServer::Stop() {
  server_->stop();
}

void CgiServer::Route() {
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let this bind a port
  // a master's monitor (or another mfscgiserv) already serves, and share its connections.
  server_->set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_payload_max_length(1024);
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::string host = options_.master_host;
    uint16_t port = options_.master_port;
    if (req.has_param("masterhost")) host = req.get_param_value("masterhost");
    if (req.has_param("masterport")) {
      const std::string text = req.get_param_value("masterport");
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
      if (ec != std::errc() || end != text.data() + text.size() || port == 0) {
        return Plain(res, 400, "400 masterport is not a port number\n");
      }
    }
    if (req.path.size() > kLongestPath || host.empty() || host.size() > 255) {
      return Plain(res, 404, "404 Not Found\n");
    }
    auto page = cli::FetchPage(host, port, req.path, req.get_param_value("sections"),
                               kMasterTimeoutSeconds);
    if (options_.verbose) {
      std::fprintf(stderr, "%s %s -> %s:%u %s\n", req.remote_addr.c_str(), req.path.c_str(),
                   host.c_str(), port, page.ok() ? "ok" : page.status().message().c_str());
    }
    if (!page.ok()) return Plain(res, 502, "502 " + page.status().message() + "\n");
    res.status = page->http_status;
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(std::move(page->body), page->content_type);
  });
  auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
  };
  server_->Post(".*", refuse).Put(".*", refuse).Patch(".*", refuse).Delete(".*", refuse);
}

}  // namespace elk::cgi
