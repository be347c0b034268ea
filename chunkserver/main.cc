// mfschunkserver: stores chunks on the disks of mfshdd.cfg and serves them. The life cycle
// (start/stop/reload/test, -c -f -d, pid lock) is common/daemon's; the server is
// chunkserver/server's ChunkServer on one event loop.

#include <memory>
#include <stop_token>

#include "chunkserver/server/chunk_server.h"
#include "chunkserver/server/config.h"
#include "common/daemon/run_daemon.h"
#include "common/heap.h"
#include "common/log/log.h"
#include "common/net/event_loop.h"

namespace {

using elk::chunkserver::ChunkServer;

struct Program {
  std::unique_ptr<elk::net::EventLoop> loop;
  std::unique_ptr<ChunkServer> server;

  elk::Status Init(const elk::daemon::DaemonContext& ctx) {
    auto config = elk::chunkserver::ConfigFromFile(ctx.config);
    if (!config.ok()) return config.status();
    auto l = elk::net::EventLoop::Create();
    if (!l.ok()) return l.status();
    loop = std::move(*l);
    auto s = ChunkServer::Create(*loop, std::move(*config));
    if (!s.ok()) return s.status();
    server = std::move(*s);
    return elk::Status::Ok();
  }

  int Serve(std::stop_token stop) {
    std::stop_callback wake(stop, [this] { loop->Stop(); });
    elk::Status s = loop->Run();
    server.reset();
    if (!s.ok()) {
      elk::log::Error("event loop: {}", s.ToString());
      return 1;
    }
    return 0;
  }

  elk::Status Reload(const elk::cfg::ConfigFile& file) {
    auto config = elk::chunkserver::ConfigFromFile(file);
    if (!config.ok()) return config.status();
    loop->Post([this, c = std::move(*config)] {
      if (!server) return;
      if (elk::Status s = server->Reload(c); !s.ok()) elk::log::Error("reload: {}", s.ToString());
    });
    return elk::Status::Ok();
  }
};

}  // namespace

int main(int argc, char** argv) {
  elk::KeepFreedDataBuffers();
  Program program;
  elk::daemon::DaemonSpec spec;
  spec.program = "mfschunkserver";
  spec.default_config = "/etc/mfs/mfschunkserver.cfg";
  spec.schema = elk::chunkserver::ChunkserverKeys();
  spec.init = [&](const elk::daemon::DaemonContext& ctx) { return program.Init(ctx); };
  spec.serve = [&](std::stop_token stop) { return program.Serve(stop); };
  spec.reload = [&](const elk::cfg::ConfigFile& cfg) { return program.Reload(cfg); };
  return elk::daemon::RunDaemon(argc, argv, spec);
}
