#pragma once
// What mfsvolume does, as calls returning JSON: volumes and snapshots as files of the
// volumes folder (instant copy-on-write snapshots and clones through the master's
// snapshot), and exports through mfsiscsid's admin socket. Every call leaves either the
// whole result or nothing: a create whose sizing fails removes its file.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "mount/client/master_session.h"

namespace elk::volume {

struct ManagerOptions {
  std::string master_host = "mfsmaster";
  uint16_t master_port = 9421;
  std::optional<std::string> password;
  std::string volumes_path = "/volumes";
  std::string iscsid_socket = "/var/lib/mfs/mfsiscsid.sock";
  std::optional<uint8_t> goal;  // set on the volumes folder (new volumes inherit it)
};

class VolumeManager {
 public:
  static Result<std::unique_ptr<VolumeManager>> Open(const ManagerOptions& options);

  Result<nlohmann::json> Create(const std::string& name, uint64_t size);
  Result<nlohmann::json> Delete(const std::string& name, bool with_snapshots);
  Result<nlohmann::json> Snapshot(const std::string& volume, const std::string& snap);
  Result<nlohmann::json> DeleteSnapshot(const std::string& volume, const std::string& snap);
  Result<nlohmann::json> CreateFromSnapshot(const std::string& name, const std::string& volume,
                                            const std::string& snap, uint64_t size);
  Result<nlohmann::json> Clone(const std::string& name, const std::string& source, uint64_t size);
  Result<nlohmann::json> Extend(const std::string& name, uint64_t size);
  Result<nlohmann::json> List();
  Result<nlohmann::json> Stats();
  Result<nlohmann::json> Export(const std::string& name, const std::string& chap_user,
                                const std::string& chap_secret);
  Result<nlohmann::json> Unexport(const std::string& name);

  explicit VolumeManager(ManagerOptions o) : options_(std::move(o)) {}  // use Open()

 private:
  Status Connect();
  Result<protocol::Attr> FindVolume(const std::string& name);
  Result<protocol::Attr> SnapshotFolder(const std::string& volume, bool create);
  Result<std::vector<std::string>> SnapshotsOf(const std::string& volume);
  Status SetLength(uint32_t inode, uint64_t size);
  Result<nlohmann::json> CopyInto(const protocol::Attr& source, const std::string& name,
                                  uint64_t size);
  Result<nlohmann::json> AskTarget(const nlohmann::json& request);
  nlohmann::json Describe(const std::string& name, const protocol::Attr& a);

  ManagerOptions options_;
  std::unique_ptr<client::MasterSession> master_;
  protocol::Attr folder_;
};

// "10G", "512MiB", "1073741824": bytes; sizes must be whole 512-byte blocks.
Result<uint64_t> ParseVolumeSize(const std::string& text);

}  // namespace elk::volume
