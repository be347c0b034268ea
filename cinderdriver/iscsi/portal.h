#pragma once
// The network portal of the target: a listening socket and a thread per connection.
// Connections share the TaskPool and the TargetRegistry. Stop() closes the listener,
// shuts every connection down and joins the threads.

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cinderdriver/iscsi/connection.h"
#include "common/net/unique_fd.h"

namespace elk::iscsi {

class Portal {
 public:
  // Binds host:port (port 0: any free port; port() tells which).
  static Result<std::unique_ptr<Portal>> Open(const std::string& host, uint16_t port,
                                              const TargetRegistry& targets, TaskPool& pool,
                                              TargetLimits limits = {});
  ~Portal();
  uint16_t port() const { return port_; }
  // The address initiators are told to use ("127.0.0.1:3260").
  const std::string& address() const { return address_; }
  size_t connections() const;
  void Stop();

  // Use Open(); public for make_unique.
  Portal(net::UniqueFd fd, const TargetRegistry& targets, TaskPool& pool, TargetLimits limits)
      : fd_(std::move(fd)), targets_(targets), pool_(pool), limits_(limits) {}

 private:
  void AcceptLoop();
  void Reap();

  struct Running {
    std::shared_ptr<Connection> conn;
    std::thread thread;
    std::shared_ptr<bool> finished;
  };

  net::UniqueFd fd_;
  const TargetRegistry& targets_;
  TaskPool& pool_;
  TargetLimits limits_;
  uint16_t port_ = 0;
  std::string address_;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::list<Running> running_;
  bool stopping_ = false;
};

}  // namespace elk::iscsi
