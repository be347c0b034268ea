#pragma once
// mfsexports.cfg: which clients may mount which folder, and how. Each line is
// `ADDRESS DIRECTORY [OPTIONS]`; DIRECTORY is an absolute path in the file system or "."
// for the meta file system. The first rule that matches a client's address and folder wins.
//
//   cfg::ExportsTable exports;
//   ELK_RETURN_IF_ERROR(exports.Load("/etc/mfs/mfsexports.cfg"));
//   auto rule = exports.Find(client_ip, "/home/alice");
//   if (!rule) return Code::kAccess;
//
// A file with any bad line is refused as a whole (every bad line is named in the Status)
// and, on Reload, the rules in force stay. See docs/config.md.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cfg/export_address.h"
#include "common/cfg/export_options.h"
#include "common/cfg/id_resolver.h"
#include "common/status.h"

namespace elk::cfg {

struct ExportRule {
  AddressRange address;
  std::string path;  // normalised: "/", "/a/b" (no trailing '/'), or "." for meta
  ExportOptions options;
  size_t line = 0;  // where it came from, for log lines

  bool meta() const { return path == "."; }
  bool Matches(uint32_t ip) const { return address.Contains(ip); }
  // True when a client may mount `folder` under this rule: the rule's own folder, or any
  // folder below it with alldirs.
  bool AllowsFolder(std::string_view folder) const;
};

struct ExportsParse {
  std::vector<ExportRule> rules;    // the good lines
  std::vector<std::string> errors;  // "path:line: reason", one per bad line
  std::vector<std::string> notes;   // "path:line: option: what ElkFS does not do"
};

// Parses every line, collecting all errors (the fuzz and test entry point).
ExportsParse ParseExports(std::string_view text, std::string_view name, const IdResolver& ids);

// The rules of a whole file, or a kBadConfig Status naming every bad line.
Result<std::vector<ExportRule>> ParseExportsStrict(std::string_view text, std::string_view name,
                                                   const IdResolver& ids);

// The first rule matching (ip, folder); folder "." asks for the meta file system.
const ExportRule* FindExport(const std::vector<ExportRule>& rules, uint32_t ip,
                             std::string_view folder);

// The rules in force, loaded from a file and reloaded as a whole. Thread-safe.
class ExportsTable {
 public:
  explicit ExportsTable(const IdResolver& ids = SystemIdResolver()) : ids_(ids) {}

  Status Load(const std::string& path);
  Status LoadString(std::string_view text, std::string_view name = "<string>");
  Status Reload();

  std::optional<ExportRule> Find(uint32_t ip, std::string_view folder) const;
  std::shared_ptr<const std::vector<ExportRule>> rules() const;

 private:
  const IdResolver& ids_;
  std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<ExportRule>> rules_ =
      std::make_shared<const std::vector<ExportRule>>();
};

}  // namespace elk::cfg
