#pragma once
// A MooseFS-style `KEY = VALUE` file (mfsmaster.cfg, mfschunkserver.cfg, ...) read against
// a Schema. As MooseFS does, an unknown key is warned about ("path:line: unknown key K")
// and a bad line (no '=', a value that does not parse or is out of range) is warned about
// and skipped, so the key keeps its default; only a bad line naming a key that guards
// access (Key::guards_access) refuses the whole file with "path:line: KEY: reason".
// Getters return the value from the file or the key's default.
//
//   cfg::ConfigFile cfg(schema);
//   ELK_RETURN_IF_ERROR(cfg.LoadOrDefaults("/etc/mfs/mfsmaster.cfg"));
//   int64_t loop = cfg.GetInteger("CHUNKS_LOOP_TIME");
//   ...
//   if (Status s = cfg.Reload(); !s.ok()) log::Error("{}", s.message());  // old values stay
//
// Thread-safe: Reload swaps a whole snapshot, so readers see the old or the new file,
// never a mix.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/cfg/schema.h"
#include "common/status.h"

namespace elk::cfg {

class ConfigFile {
 public:
  explicit ConfigFile(Schema schema);

  // Reads path; a missing file is an error (kNoEnt).
  Status Load(const std::string& path);
  // Reads path; a missing file is warned about and every key takes its default.
  Status LoadOrDefaults(const std::string& path);
  // Reads text as if it were the file `name` (for tests and fuzzing).
  Status LoadString(std::string_view text, std::string_view name = "<string>");
  // Re-reads the file last loaded, with the same missing-file rule. On failure the values
  // in force stay in force.
  Status Reload();

  // With this set, each load logs every known key the file does not set (mfs* -u).
  void set_log_undefined(bool on) { log_undefined_ = on; }

  const std::string& path() const { return path_; }
  const Schema& schema() const { return schema_; }
  // True when the file sets key (rather than the default applying).
  bool IsSet(std::string_view key) const;

  std::string GetString(std::string_view key) const;
  int64_t GetInteger(std::string_view key) const;
  uint64_t GetSize(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  int64_t GetDuration(std::string_view key) const;  // seconds
  double GetDouble(std::string_view key) const;
  std::string GetHost(std::string_view key) const;
  std::string GetMasterList(std::string_view key) const;  // as written; net::MasterAddresses
  uint16_t GetPort(std::string_view key) const;
  uint32_t GetMode(std::string_view key) const;

 private:
  struct Snapshot {
    std::map<std::string, Value, std::less<>> set;       // from the file
    std::map<std::string, Value, std::less<>> defaults;  // from the schema
  };

  Result<std::shared_ptr<const Snapshot>> Parse(std::string_view text, std::string_view name) const;
  Status LoadPath(const std::string& path, bool missing_ok);
  std::shared_ptr<const Snapshot> Current() const;
  Value Get(std::string_view key, KeyType type) const;

  Schema schema_;
  std::string path_;
  bool missing_ok_ = false;
  bool log_undefined_ = false;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace elk::cfg
