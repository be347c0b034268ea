#include "master/ha/test_etcd.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "master/ha/etcd_client.h"

namespace elk::master::ha::testing {

Result<std::unique_ptr<EtcdServer>> EtcdServer::Start() {
  if (access(kEtcdBinary, X_OK) != 0) {
    return Status(Code::kNotFound, fmt::format("{} is not installed: run scripts/deps.sh "
                                               "(Debian's etcd-server)",
                                               kEtcdBinary));
  }
  std::unique_ptr<EtcdServer> s(new EtcdServer());
  char tmpl[] = "/tmp/elk-etcd-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status::FromErrno(errno, "mkdtemp");
  s->dir_ = tmpl;
  s->client_port_ = elk::test::FreePort();
  s->peer_port_ = elk::test::FreePort();
  while (s->peer_port_ == s->client_port_)
    s->peer_port_ = elk::test::FreePort();
  ELK_RETURN_IF_ERROR(s->Launch());
  return s;
}

EtcdServer::~EtcdServer() {
  Stop();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string EtcdServer::url() const {
  return fmt::format("http://127.0.0.1:{}", client_port_);
}

Status EtcdServer::Launch() {
  std::string peer = fmt::format("http://127.0.0.1:{}", peer_port_);
  auto p =
      elk::test::Process::Spawn({kEtcdBinary, "--name", "elk", "--data-dir", dir_ + "/data",
                                 "--listen-client-urls", url(), "--advertise-client-urls", url(),
                                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                 "--initial-cluster", "elk=" + peer, "--log-level", "warn"},
                                fmt::format("{}/etcd.{}.log", dir_, ++launches_));
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  return WaitUntilAnswers(std::chrono::seconds(20));
}

Status EtcdServer::WaitUntilAnswers(std::chrono::milliseconds timeout) {
  auto client = EtcdClient::Connect(url(), std::chrono::milliseconds(500));
  if (!client.ok()) return client.status();
  auto until = std::chrono::steady_clock::now() + timeout;
  Status last;
  while (std::chrono::steady_clock::now() < until) {
    if (!process_.Alive()) return Status(Code::kIo, "etcd exited; see " + dir_);
    auto got = (*client)->Get("/elkfs-test-ready");
    if (got.ok()) return Status::Ok();
    last = got.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status(Code::kTimeout, "etcd did not answer in time: " + last.ToString());
}

void EtcdServer::Stop() {
  if (process_.pid() > 0 && process_.Alive()) process_.Terminate(std::chrono::seconds(10));
}

Status EtcdServer::Restart() {
  Stop();
  return Launch();
}

}  // namespace elk::master::ha::testing
