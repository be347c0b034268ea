#pragma once
// mfscgiserv's HTTP side: every GET is passed to a master's client port as CLTOMA_MONITOR
// and its page answered as it came, so the pages are exactly the master's own monitor
// (master/monitor/pages.h), served from any host. The master is the one the address names
// (MooseFS's mfs.cgi?masterhost=...&masterport=...), else the configured one.

#include <memory>
#include <string>

#include "common/status.h"
#include "master/cgi/options.h"

namespace httplib {
class Server;
}

namespace elk::cgi {

class CgiServer {
 public:
  // Binds (port 0: an ephemeral port, for tests); serving starts with Serve().
  static Result<std::unique_ptr<CgiServer>> Bind(const Options& options);
  ~CgiServer();
  CgiServer(const CgiServer&) = delete;
  CgiServer& operator=(const CgiServer&) = delete;

  uint16_t port() const { return port_; }
  // Serves until Stop() (from any thread).
  void Serve();
  void Stop();

 private:
  explicit CgiServer(const Options& options);
  void Route();

  Options options_;
  std::unique_ptr<httplib::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace elk::cgi
