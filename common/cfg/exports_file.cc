#include "common/cfg/exports_file.h"

#include <fmt/format.h>

#include "common/cfg/file_read.h"
#include "common/cfg/text_util.h"
#include "common/log/log.h"

namespace elk::cfg {
namespace {

// "/a//b/" -> "/a/b"; refuses relative paths and "." / ".." components.
Result<std::string> NormalisePath(std::string_view text) {
  if (text == ".") return std::string(".");
  if (text.empty() || text[0] != '/')
    return Status(Code::kBadConfig,
                  fmt::format("folder '{}' is not an absolute path or '.'", text));
  std::string out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (part.empty()) continue;
    if (part == "." || part == "..")
      return Status(Code::kBadConfig, fmt::format("folder '{}' has a '{}' component", text, part));
    out += '/';
    out += part;
  }
  return out.empty() ? std::string("/") : out;
}

// Splits off the next whitespace-separated word.
std::string_view NextWord(std::string_view& rest) {
  rest = Trim(rest);
  size_t end = rest.find_first_of(" \t");
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return word;
}

Result<ExportRule> ParseLine(std::string_view content, const IdResolver& ids,
                             std::vector<std::string>& notes) {
  std::string_view rest = content;
  std::string_view address_text = NextWord(rest);
  std::string_view folder_text = NextWord(rest);
  std::string_view options_text = Trim(rest);
  if (folder_text.empty()) return Status(Code::kBadConfig, "expected ADDRESS DIRECTORY [OPTIONS]");
  if (options_text.find_first_of(" \t") != std::string_view::npos)
    return Status(
        Code::kBadConfig,
        fmt::format("options '{}' contain a space (separate them with ',')", options_text));
  ExportRule rule;
  auto address = ParseExportAddress(address_text);
  if (!address.ok()) return address.status();
  rule.address = *address;
  auto path = NormalisePath(folder_text);
  if (!path.ok()) return path.status();
  rule.path = std::move(path).value();
  auto options = ParseExportOptions(options_text, ids, &notes);
  if (!options.ok()) return options.status();
  rule.options = *options;
  return rule;
}

}  // namespace

bool ExportRule::AllowsFolder(std::string_view folder) const {
  if (folder == path) return true;
  if (!options.alldirs || meta() || folder == "." || folder.size() <= path.size()) return false;
  if (path == "/") return folder[0] == '/';
  return folder.substr(0, path.size()) == path && folder[path.size()] == '/';
}

ExportsParse ParseExports(std::string_view text, std::string_view name, const IdResolver& ids) {
  ExportsParse out;
  ForEachContentLine(text, [&](size_t line, std::string_view content) {
    std::vector<std::string> notes;
    auto rule = ParseLine(content, ids, notes);
    for (const std::string& note : notes)
      out.notes.push_back(fmt::format("{}:{}: {}", name, line, note));
    if (rule.ok()) {
      rule->line = line;
      out.rules.push_back(std::move(rule).value());
    } else {
      out.errors.push_back(fmt::format("{}:{}: {}", name, line, rule.status().message()));
    }
    return true;
  });
  return out;
}

Result<std::vector<ExportRule>> ParseExportsStrict(std::string_view text, std::string_view name,
                                                   const IdResolver& ids) {
  ExportsParse parsed = ParseExports(text, name, ids);
  for (const std::string& note : parsed.notes)
    log::Warning("{}", note);
  if (!parsed.errors.empty())
    return Status(Code::kBadConfig, fmt::format("{}", fmt::join(parsed.errors, "\n")));
  return std::move(parsed.rules);
}

const ExportRule* FindExport(const std::vector<ExportRule>& rules, uint32_t ip,
                             std::string_view folder) {
  std::string normal;
  if (auto n = NormalisePath(folder); n.ok()) normal = std::move(n).value();
  if (normal.empty()) return nullptr;
  for (const ExportRule& rule : rules) {
    if (rule.Matches(ip) && rule.AllowsFolder(normal)) return &rule;
  }
  return nullptr;
}

Status ExportsTable::LoadString(std::string_view text, std::string_view name) {
  auto rules = ParseExportsStrict(text, name, ids_);
  if (!rules.ok()) return rules.status();
  auto fresh = std::make_shared<const std::vector<ExportRule>>(std::move(rules).value());
  std::lock_guard lock(mu_);
  rules_ = std::move(fresh);
  return Status::Ok();
}

Status ExportsTable::Load(const std::string& path) {
  path_ = path;
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return LoadString(*text, path);
}

Status ExportsTable::Reload() {
  if (path_.empty()) return Status(Code::kInval, "exports: reload before any load from a file");
  return Load(path_);
}

std::shared_ptr<const std::vector<ExportRule>> ExportsTable::rules() const {
  std::lock_guard lock(mu_);
  return rules_;
}

std::optional<ExportRule> ExportsTable::Find(uint32_t ip, std::string_view folder) const {
  auto current = rules();
  const ExportRule* rule = FindExport(*current, ip, folder);
  if (rule == nullptr) return std::nullopt;
  return *rule;
}

}  // namespace elk::cfg
