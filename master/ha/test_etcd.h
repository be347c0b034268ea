#pragma once
// A real etcd (Debian's etcd-server) for tests: one member on 127.0.0.1 with free client
// and peer ports, its data in a temporary folder, stopped by pid and the folder removed at
// the end - also when a test fails. Restart() keeps the data and the ports.
//
//   auto etcd = EtcdServer::Start();
//   ASSERT_TRUE(etcd.ok()) << etcd.status().ToString();
//   auto client = EtcdClient::Connect((*etcd)->url(), std::chrono::seconds(1));

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "tests/harness/process.h"

namespace elk::master::ha::testing {

inline constexpr const char* kEtcdBinary = "/usr/bin/etcd";

class EtcdServer {
 public:
  // Fails loudly (not skips) when etcd is not installed.
  static Result<std::unique_ptr<EtcdServer>> Start();
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  std::string url() const;  // http://127.0.0.1:<client port>
  uint16_t client_port() const { return client_port_; }
  // SIGTERM, wait; then start again on the same data and ports and wait until it answers.
  void Stop();
  Status Restart();

 private:
  EtcdServer() = default;
  Status Launch();
  Status WaitUntilAnswers(std::chrono::milliseconds timeout);

  std::string dir_;
  uint16_t client_port_ = 0;
  uint16_t peer_port_ = 0;
  int launches_ = 0;
  elk::test::Process process_;
};

}  // namespace elk::master::ha::testing
