#include "master/ha/etcd_transport.h"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>

namespace elk::master::ha {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://")) {
    return Status(Code::kNotSupported,
                  fmt::format("etcd endpoint '{}': https is not supported", url));
  }
  if (!url.starts_with(kScheme)) {
    return Status(Code::kBadConfig, fmt::format("etcd endpoint '{}': not http://HOST:PORT", url));
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || rest.find('/') != std::string_view::npos) {
    return Status(Code::kBadConfig, fmt::format("etcd endpoint '{}': not http://HOST:PORT", url));
  }
  std::string_view port_text = rest.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Status(Code::kBadConfig, fmt::format("etcd endpoint '{}': bad port", url));
  }
  return Endpoint{std::string(rest.substr(0, colon)), static_cast<uint16_t>(port)};
}

// Election answers are a few hundred bytes; anything this large is not etcd answering us.
constexpr size_t kMaxAnswer = 4 << 20;

}  // namespace

std::string Endpoint::ToString() const {
  return fmt::format("http://{}:{}", host, port);
}

Result<std::vector<Endpoint>> ParseEndpoints(std::string_view list) {
  std::vector<Endpoint> out;
  if (Trim(list).empty()) return out;
  while (true) {
    size_t comma = list.find(',');
    auto one = ParseEndpoint(Trim(list.substr(0, comma)));
    if (!one.ok()) return one.status();
    out.push_back(std::move(*one));
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(std::vector<Endpoint> endpoints,
                                                             std::chrono::milliseconds timeout) {
  if (endpoints.empty()) return Status(Code::kInval, "etcd: no endpoint");
  if (timeout <= std::chrono::milliseconds(0)) return Status(Code::kInval, "etcd: no time-out");
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(endpoints), timeout));
}

Result<HttpAnswer> HttpTransport::PostTo(const Endpoint& e, const std::string& path,
                                         const std::string& body) {
  httplib::Client client(e.host, e.port);
  client.set_connection_timeout(timeout_);
  client.set_read_timeout(timeout_);
  client.set_write_timeout(timeout_);
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.body = body;
  req.set_header("Content-Type", "application/json");
  HttpAnswer answer;
  req.response_handler = [&](const httplib::Response& r) {
    answer.status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    answer.body.append(data, n);
    return answer.body.size() <= kMaxAnswer;
  };
  auto res = client.send(req);
  if (res) return answer;
  // etcd 3.4's gateway sends its error answers chunked with an HTTP trailer, which
  // cpp-httplib 0.11 cannot read: the body came whole and only the trailer failed. The
  // body of an error answer is kept for its message; a 2xx must arrive without a fault.
  if (res.error() == httplib::Error::Read && answer.status >= 400 && !answer.body.empty()) {
    return answer;
  }
  return Status(Code::kCantConnect,
                fmt::format("{}{}: {}", e.ToString(), path, httplib::to_string(res.error())));
}

Result<HttpAnswer> HttpTransport::Post(const std::string& path, const std::string& body) {
  Result<HttpAnswer> last = Status(Code::kCantConnect, "etcd: no endpoint tried");
  for (size_t tried = 0; tried < endpoints_.size(); ++tried) {
    size_t i = (current_ + tried) % endpoints_.size();
    last = PostTo(endpoints_[i], path, body);
    if (last.ok() && last->status < 500) {
      current_ = i;
      return last;
    }
  }
  return last;
}

}  // namespace elk::master::ha
