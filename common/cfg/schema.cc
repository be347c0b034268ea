#include "common/cfg/schema.h"

#include <fmt/format.h>

#include "common/cfg/value_parse.h"
#include "common/net/master_addresses.h"

namespace elk::cfg {
namespace {

Key Make(std::string name, KeyType type, std::string def, double min, double max) {
  Key key;
  key.name = std::move(name);
  key.type = type;
  key.default_text = std::move(def);
  key.min = min;
  key.max = max;
  return key;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

Status CheckRange(const Key& key, std::string_view text, double value) {
  if (value < key.min)
    return Status(Code::kBadConfig, fmt::format("'{}' is below the minimum {}", text, key.min));
  if (value > key.max)
    return Status(Code::kBadConfig, fmt::format("'{}' is above the maximum {}", text, key.max));
  return Status::Ok();
}

template <typename T>
Result<Value> Ranged(const Key& key, std::string_view text, Result<T> parsed) {
  if (!parsed.ok()) return parsed.status();
  ELK_RETURN_IF_ERROR(CheckRange(key, text, static_cast<double>(*parsed)));
  return Value(*parsed);
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "string";
    case KeyType::kInteger:
      return "integer";
    case KeyType::kSize:
      return "size";
    case KeyType::kBool:
      return "boolean";
    case KeyType::kDuration:
      return "duration";
    case KeyType::kDouble:
      return "number";
    case KeyType::kHost:
      return "host";
    case KeyType::kPort:
      return "port";
    case KeyType::kMode:
      return "mode";
    case KeyType::kMasterList:
      return "master list";
  }
  return "?";
}

Key Key::String(std::string name, std::string def) {
  return Make(std::move(name), KeyType::kString, std::move(def), -kInf, kInf);
}
Key Key::Integer(std::string name, int64_t def, int64_t min, int64_t max) {
  return Make(std::move(name), KeyType::kInteger, std::to_string(def), static_cast<double>(min),
              static_cast<double>(max));
}
Key Key::Size(std::string name, std::string def, uint64_t min, uint64_t max) {
  return Make(std::move(name), KeyType::kSize, std::move(def), static_cast<double>(min),
              static_cast<double>(max));
}
Key Key::Bool(std::string name, bool def) {
  return Make(std::move(name), KeyType::kBool, def ? "1" : "0", -kInf, kInf);
}
Key Key::Duration(std::string name, int64_t def_seconds, int64_t min, int64_t max) {
  return Make(std::move(name), KeyType::kDuration, std::to_string(def_seconds),
              static_cast<double>(min), static_cast<double>(max));
}
Key Key::Double(std::string name, double def, double min, double max) {
  return Make(std::move(name), KeyType::kDouble, fmt::format("{}", def), min, max);
}
Key Key::Host(std::string name, std::string def) {
  return Make(std::move(name), KeyType::kHost, std::move(def), -kInf, kInf);
}
Key Key::MasterList(std::string name, std::string def) {
  Key key = Make(std::move(name), KeyType::kMasterList, std::move(def), -kInf, kInf);
  key.guards_access = true;
  return key;
}
Key Key::Port(std::string name, uint16_t def) {
  return Make(std::move(name), KeyType::kPort, std::to_string(def), 1, 65535);
}
Key Key::Mode(std::string name, uint32_t def) {
  return Make(std::move(name), KeyType::kMode, fmt::format("{:03o}", def), 0, 0777);
}

Key Key::WithAlias(std::string alias) && {
  aliases.push_back(std::move(alias));
  return std::move(*this);
}

Key Key::GuardsAccess() && {
  guards_access = true;
  return std::move(*this);
}

Key Key::FirstOfList() && {
  first_of_list = true;
  return std::move(*this);
}

Result<Value> ParseValue(const Key& key, std::string_view text) {
  switch (key.type) {
    case KeyType::kString:
      return Value(std::string(text));
    case KeyType::kInteger:
      return Ranged(key, text, ParseInteger(text));
    case KeyType::kSize:
      return Ranged(key, text, ParseSize(text));
    case KeyType::kDuration:
      return Ranged(key, text, ParseDuration(text));
    case KeyType::kDouble:
      return Ranged(key, text, ParseDouble(text));
    case KeyType::kBool: {
      auto b = ParseBool(text);
      if (!b.ok()) return b.status();
      return Value(*b);
    }
    case KeyType::kHost: {
      auto h = ParseHost(text);
      if (!h.ok()) return h.status();
      return Value(std::move(h).value());
    }
    case KeyType::kMasterList: {
      // The port is checked here; its default (MASTER_PORT) is applied by the user.
      auto list = net::ParseMasterList(text, 1);
      if (!list.ok()) return Status(Code::kBadConfig, list.status().message());
      return Value(std::string(text));
    }
    case KeyType::kPort: {
      auto p = ParsePort(text);
      if (!p.ok()) return p.status();
      return Value(static_cast<int64_t>(*p));
    }
    case KeyType::kMode: {
      auto m = ParseOctalMode(text);
      if (!m.ok()) return m.status();
      return Value(static_cast<int64_t>(*m));
    }
  }
  return Status(Code::kBadConfig, "unknown key type");
}

Schema::Schema(std::initializer_list<Key> keys) {
  for (const Key& key : keys)
    Add(key);
}

void Schema::Add(Key key) {
  for (Key& existing : keys_) {
    if (existing.name == key.name) {
      existing = std::move(key);
      return;
    }
  }
  keys_.push_back(std::move(key));
}

void Schema::Merge(const Schema& other) {
  for (const Key& key : other.keys_) {
    if (Find(key.name) == nullptr) keys_.push_back(key);
  }
}

const Key* Schema::Find(std::string_view name) const {
  for (const Key& key : keys_) {
    if (key.name == name) return &key;
  }
  for (const Key& key : keys_) {
    for (const std::string& alias : key.aliases) {
      if (alias == name) return &key;
    }
  }
  return nullptr;
}

Status Schema::Check() const {
  for (const Key& key : keys_) {
    auto value = ParseValue(key, key.default_text);
    if (!value.ok())
      return Status(Code::kBadConfig,
                    fmt::format("default of {}: {}", key.name, value.status().message()));
  }
  return Status::Ok();
}

}  // namespace elk::cfg
