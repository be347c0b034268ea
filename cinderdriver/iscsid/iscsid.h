#pragma once
// mfsiscsid: the iSCSI target of ElkFS volumes. Holds one master session, serves every
// exported volume file as LUN 0 of its own IQN, and takes export/unexport/list/refresh
// from mfsvolume over a local admin socket. The exports are kept in
// DATA_PATH/iscsi_exports.json and served again after a restart.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "cinderdriver/iscsi/portal.h"
#include "cinderdriver/iscsi/target_registry.h"
#include "cinderdriver/iscsi/task_pool.h"
#include "cinderdriver/iscsid/config.h"
#include "cinderdriver/volume/volume_device.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"

namespace elk::iscsid {

struct ExportEntry {
  std::string volume;  // the name after "volume-"
  std::string path;    // the volume file; empty: <VOLUMES_PATH>/volume-<volume>
  std::optional<iscsi::ChapCredentials> chap;
};

class Iscsid {
 public:
  static Result<std::unique_ptr<Iscsid>> Create(const IscsidConfig& config);
  ~Iscsid();
  // Serves until Stop().
  Status Run();
  void Stop();

  // The admin socket's requests (JSON in, JSON out); public for tests.
  nlohmann::json Handle(const nlohmann::json& request);
  std::string Iqn(const std::string& volume) const;
  const std::string& portal_address() const { return portal_address_; }

  explicit Iscsid(IscsidConfig config) : config_(std::move(config)) {}  // use Create()

 private:
  Status Start();
  Result<nlohmann::json> Export(const ExportEntry& e, bool persist);
  Status Unexport(const std::string& volume);
  Status Refresh(const std::string& volume);
  // A served volume is open at the master (read and write; read only on a ro export).
  Status OpenVolume(uint32_t inode, const std::string& path);
  void ReleaseVolume(uint32_t inode);
  Status SaveExports();
  Status LoadExports();
  nlohmann::json List();
  nlohmann::json ConnectionInfo(const ExportEntry& e) const;
  void AdminLoop();
  void GrantLoop();

  struct Served {
    ExportEntry entry;
    std::shared_ptr<volume::VolumeDevice> device;
  };

  IscsidConfig config_;
  std::unique_ptr<client::MasterSession> master_;
  std::unique_ptr<client::ChunkIo> io_;
  std::unique_ptr<iscsi::TaskPool> pool_;
  std::unique_ptr<volume::BlockCache> cache_;
  iscsi::TargetRegistry targets_;
  std::unique_ptr<iscsi::Portal> portal_;
  std::string portal_address_;
  int admin_fd_ = -1;
  std::string admin_path_;

  std::mutex mu_;
  std::map<std::string, Served> served_;  // by volume name
  std::atomic<bool> stopping_{false};
  std::thread admin_, grants_;
};

}  // namespace elk::iscsid
