#pragma once
// How EtcdClient reaches etcd: one POST of a JSON body to a gateway path, answered by an
// HTTP status and a body. HttpTransport is the real one (cpp-httplib, several endpoints,
// a time-out on every request); tests put a fault-injecting one in its place.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace elk::master::ha {

struct HttpAnswer {
  int status = 0;  // HTTP status
  std::string body;
};

class EtcdTransport {
 public:
  virtual ~EtcdTransport() = default;
  // kCantConnect when no endpoint answered (or every one answered 5xx: then the last
  // answer is returned instead, so its message is not lost). Never throws.
  virtual Result<HttpAnswer> Post(const std::string& path, const std::string& body) = 0;
};

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;  // "http://host:port"
};

// "http://HOST:PORT[/]" each, comma-separated, blanks around commas allowed (ETCD_ENDPOINTS).
// An empty list is fine (no HA); "https://" is refused as not supported (cpp-httplib is
// built here without TLS), as is anything without an explicit port.
Result<std::vector<Endpoint>> ParseEndpoints(std::string_view list);

class HttpTransport final : public EtcdTransport {
 public:
  // timeout bounds the connect, each read and each write of one request on one endpoint.
  static Result<std::unique_ptr<HttpTransport>> Create(std::vector<Endpoint> endpoints,
                                                       std::chrono::milliseconds timeout);
  // Tries the endpoint that answered last, then the next ones in order, each once: a
  // connection error, a time-out or a 5xx moves on. One thread at a time.
  Result<HttpAnswer> Post(const std::string& path, const std::string& body) override;

 private:
  HttpTransport(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout)
      : endpoints_(std::move(endpoints)), timeout_(timeout) {}
  Result<HttpAnswer> PostTo(const Endpoint& e, const std::string& path, const std::string& body);

  std::vector<Endpoint> endpoints_;
  std::chrono::milliseconds timeout_;
  size_t current_ = 0;  // the endpoint that answered last
};

}  // namespace elk::master::ha
