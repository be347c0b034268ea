#include "common/cfg/config_file.h"

#include <fmt/format.h>

#include <cctype>

#include "common/cfg/file_read.h"
#include "common/cfg/text_util.h"
#include "common/log/log.h"

namespace elk::cfg {
namespace {

bool ValidKeyName(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The first word of a line that has no '=': the key it was probably meant to set.
std::string_view FirstWord(std::string_view content) {
  return Trim(content.substr(0, content.find_first_of(" \t")));
}

// "2,1,1,4" -> "2" for a key that takes the first of MooseFS 3's list of limits.
std::string_view FirstOfList(const Key& spec, std::string_view text, std::string_view where) {
  size_t comma = text.find(',');
  if (!spec.first_of_list || comma == std::string_view::npos) return text;
  log::Warning("{}: {} = {}: ElkFS has one limit; the first value is used, the rest ignored", where,
               spec.name, text);
  return Trim(text.substr(0, comma));
}

}  // namespace

ConfigFile::ConfigFile(Schema schema) : schema_(std::move(schema)) {
  auto snapshot = std::make_shared<Snapshot>();
  for (const Key& key : schema_.keys()) {
    auto value = ParseValue(key, key.default_text);
    if (value.ok()) {
      snapshot->defaults.emplace(key.name, std::move(value).value());
    } else {
      log::Error("config schema: default of {} does not parse: {}", key.name,
                 value.status().message());
    }
  }
  current_ = std::move(snapshot);
}

// A bad line is skipped with a warning (as MooseFS does) unless it names a key that guards
// access: then the default would widen access, and the file is refused.
Result<std::shared_ptr<const ConfigFile::Snapshot>> ConfigFile::Parse(std::string_view text,
                                                                      std::string_view name) const {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->defaults = Current()->defaults;
  std::map<std::string, size_t, std::less<>> seen_at;
  Status error;
  auto bad_line = [&](const Key* spec, std::string message) {
    if (spec != nullptr && spec->guards_access) {
      error = Status(Code::kBadConfig, std::move(message));
      return false;
    }
    log::Warning("{} (line skipped)", message);
    return true;
  };
  ForEachContentLine(text, [&](size_t line, std::string_view content) {
    size_t eq = content.find('=');
    std::string_view key = Trim(content.substr(0, eq));
    if (eq == std::string_view::npos || !ValidKeyName(key)) {
      return bad_line(schema_.Find(FirstWord(content)),
                      fmt::format("{}:{}: expected KEY = VALUE, got '{}'", name, line, content));
    }
    const Key* spec = schema_.Find(key);
    if (spec == nullptr) {
      log::Warning("{}:{}: unknown key {} (ignored)", name, line, key);
      return true;
    }
    std::string where = fmt::format("{}:{}", name, line);
    auto value = ParseValue(*spec, FirstOfList(*spec, Trim(content.substr(eq + 1)), where));
    if (!value.ok())
      return bad_line(spec, fmt::format("{}: {}: {}", where, key, value.status().message()));
    if (auto it = seen_at.find(spec->name); it != seen_at.end()) {
      log::Warning("{}: {} repeats line {}; the last one wins", where, key, it->second);
    }
    seen_at[spec->name] = line;
    snapshot->set[spec->name] = std::move(value).value();
    return true;
  });
  if (!error.ok()) return error;
  if (log_undefined_) {
    for (const Key& key : schema_.keys()) {
      if (!snapshot->set.count(key.name))
        log::Info("{}: {} not set, using default '{}'", name, key.name, key.default_text);
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

Status ConfigFile::LoadString(std::string_view text, std::string_view name) {
  auto parsed = Parse(text, name);
  if (!parsed.ok()) return parsed.status();
  std::lock_guard lock(mu_);
  current_ = std::move(parsed).value();
  return Status::Ok();
}

Status ConfigFile::LoadPath(const std::string& path, bool missing_ok) {
  path_ = path;
  missing_ok_ = missing_ok;
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    if (missing_ok && text.code() == Code::kNoEnt) {
      log::Warning("{} not found, using defaults", path);
      return LoadString("", path);
    }
    return text.status();
  }
  return LoadString(*text, path);
}

Status ConfigFile::Load(const std::string& path) {
  return LoadPath(path, false);
}

Status ConfigFile::LoadOrDefaults(const std::string& path) {
  return LoadPath(path, true);
}

Status ConfigFile::Reload() {
  if (path_.empty()) return Status(Code::kInval, "config: reload before any load from a file");
  return LoadPath(path_, missing_ok_);
}

std::shared_ptr<const ConfigFile::Snapshot> ConfigFile::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool ConfigFile::IsSet(std::string_view key) const {
  return Current()->set.count(key) > 0;
}

Value ConfigFile::Get(std::string_view key, KeyType type) const {
  const Key* spec = schema_.Find(key);
  if (spec == nullptr || spec->type != type) {
    // A programming error: the caller asked for a key it never declared.
    log::Error("config: {} is not declared as a {}", key, KeyTypeName(type));
    return Value();
  }
  auto snapshot = Current();
  if (auto it = snapshot->set.find(key); it != snapshot->set.end()) return it->second;
  if (auto it = snapshot->defaults.find(key); it != snapshot->defaults.end()) return it->second;
  return Value();
}

namespace {
template <typename T>
T As(const Value& v) {
  const T* p = std::get_if<T>(&v);
  return p != nullptr ? *p : T{};
}
}  // namespace

std::string ConfigFile::GetString(std::string_view key) const {
  return As<std::string>(Get(key, KeyType::kString));
}
int64_t ConfigFile::GetInteger(std::string_view key) const {
  return As<int64_t>(Get(key, KeyType::kInteger));
}
uint64_t ConfigFile::GetSize(std::string_view key) const {
  return As<uint64_t>(Get(key, KeyType::kSize));
}
bool ConfigFile::GetBool(std::string_view key) const {
  return As<bool>(Get(key, KeyType::kBool));
}
int64_t ConfigFile::GetDuration(std::string_view key) const {
  return As<int64_t>(Get(key, KeyType::kDuration));
}
double ConfigFile::GetDouble(std::string_view key) const {
  return As<double>(Get(key, KeyType::kDouble));
}
std::string ConfigFile::GetHost(std::string_view key) const {
  return As<std::string>(Get(key, KeyType::kHost));
}
std::string ConfigFile::GetMasterList(std::string_view key) const {
  return As<std::string>(Get(key, KeyType::kMasterList));
}
uint16_t ConfigFile::GetPort(std::string_view key) const {
  return static_cast<uint16_t>(As<int64_t>(Get(key, KeyType::kPort)));
}
uint32_t ConfigFile::GetMode(std::string_view key) const {
  return static_cast<uint32_t>(As<int64_t>(Get(key, KeyType::kMode)));
}

}  // namespace elk::cfg
