// mfscgiserv: the master's monitor pages on port 9425 from any host, read through the
// master's client port, and MooseFS's mfs.cgi addresses. See docs/monitor.md.
#include <signal.h>

#include <cstdio>
#include <thread>

#include "common/daemon/daemonize.h"
#include "master/cgi/cgi_server.h"

namespace {

// SIGTERM, SIGINT or SIGHUP stop the server; the signals are taken by a thread of their own.
void StopOnSignals(elk::cgi::CgiServer& server) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &server] {
    int sig = 0;
    sigwait(&set, &sig);
    server.Stop();
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  auto options = elk::cgi::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "mfscgiserv: %s\n%s", options.status().message().c_str(),
                 elk::cgi::Usage().c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(elk::cgi::Usage().c_str(), stdout);
    return 0;
  }
  elk::daemon::StartupReporter reporter;
  if (!options->foreground) {
    auto detached = elk::daemon::Daemonize();
    if (!detached.ok()) {
      std::fprintf(stderr, "mfscgiserv: %s\n", detached.status().message().c_str());
      return 1;
    }
    reporter = std::move(*detached);
  }
  auto server = elk::cgi::CgiServer::Bind(*options);
  if (!server.ok()) {
    reporter.Failed(server.status().message());
    std::fprintf(stderr, "mfscgiserv: %s\n", server.status().message().c_str());
    return 1;
  }
  StopOnSignals(**server);
  std::fprintf(stderr, "mfscgiserv: serving on %s:%u, master %s:%u\n", options->bind_host.c_str(),
               (*server)->port(), options->master_host.c_str(), options->master_port);
  reporter.Ready();
  (*server)->Serve();
  return 0;
}
