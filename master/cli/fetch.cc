#include "master/cli/fetch.h"

#include <fmt/format.h>

#include "common/net/address.h"
#include "common/net/blocking_client.h"
#include "common/net/send_msg.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocl.h"

namespace elk::cli {
namespace {

namespace proto = protocol;
using Millis = std::chrono::milliseconds;

// The master's hello, then its answer to ours: the page. A monitor reader is served by any
// master about itself, a follower included.
Result<MonitorPage> Ask(const net::Address& where, const std::string& path,
                        const std::string& sections, Millis timeout) {
  auto c = net::BlockingClient::Connect(where, timeout);
  if (!c.ok()) return c.status();
  c->set_max_payload(proto::kBulk);
  ELK_RETURN_IF_ERROR(net::SendMsg(*c, proto::MakeHello(proto::Role::kMonitor, "elkfs")));
  ELK_RETURN_IF_ERROR(net::SendMsg(*c, proto::CltomaMonitor{1, path, sections}));
  for (int frames = 0; frames < 4; ++frames) {
    auto f = c->Receive(timeout);
    if (!f.ok()) return f.status();
    if (f->type == proto::ANTOAN_HELLO) continue;
    if (f->type == proto::ANTOAN_STATUS) {
      // A refused hello: an mfsmaster of another protocol version, or one older than the
      // monitor on its client port.
      auto st = proto::Decode<proto::AntoanStatus>(f->payload);
      return Status(Code::kIo, st.ok() ? st->message : "refused");
    }
    if (f->type != proto::MATOCL_MONITOR) {
      return Status(Code::kIo, fmt::format("unexpected message type {}", f->type));
    }
    auto page = proto::Decode<proto::MatoclMonitor>(f->payload);
    if (!page.ok()) return page.status();
    return MonitorPage{page->http_status, std::move(page->content_type), std::move(page->body)};
  }
  return Status(Code::kIo, "no page among the master's first messages");
}

}  // namespace

Result<MonitorPage> FetchPage(const std::string& host, uint16_t port, const std::string& path,
                              const std::string& sections, int timeout_seconds) {
  const Millis timeout(static_cast<int64_t>(timeout_seconds) * 1000);
  auto where = net::Resolve(host, port);
  Result<MonitorPage> page = where.ok() ? Ask(*where, path, sections, timeout) : where.status();
  if (!page.ok() && page.code() != Code::kIo) {
    return Status(Code::kCantConnect,
                  fmt::format("cannot reach the master's monitor at {}:{} ({}); is mfsmaster "
                              "running with its client port (MATOCL_LISTEN_PORT) = {}?",
                              host, port, page.status().ToString(), port));
  }
  return page;
}

Result<nlohmann::json> FetchSection(const std::string& host, uint16_t port,
                                    const std::string& section, int timeout_seconds) {
  const std::string path = "/api/v1/" + section;
  auto page = FetchPage(host, port, path, "", timeout_seconds);
  if (!page.ok()) return page.status();
  if (page->http_status != 200) {
    return Status(Code::kIo, fmt::format("{}:{}{}: {}", host, port, path, page->body));
  }
  auto j = nlohmann::json::parse(page->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status(Code::kIo, fmt::format("{}:{}{}: the answer is not JSON", host, port, path));
  }
  return j;
}

}  // namespace elk::cli
