#include "master/ha/etcd_json.h"

#include <fmt/format.h>

#include <charconv>

#include "master/ha/base64.h"

namespace elk::master::ha {
namespace {

using nlohmann::json;

Status Malformed(const char* field, const char* why) {
  return Status(Code::kProtocol, fmt::format("etcd answer: '{}' {}", field, why));
}

Result<std::string> Base64Field(const json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return std::string();
  if (!it->is_string()) return Malformed(field, "is not a string");
  auto bytes = Base64Decode(it->get_ref<const std::string&>());
  if (!bytes.ok()) return Malformed(field, "is not base64");
  return bytes;
}

}  // namespace

Result<json> ParseObject(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status(Code::kProtocol, "etcd answer: not JSON");
  if (!j.is_object()) return Status(Code::kProtocol, "etcd answer: not a JSON object");
  return j;
}

Result<int64_t> Int64Field(const json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return int64_t{0};
  if (it->is_number_integer()) return it->get<int64_t>();
  if (!it->is_string()) return Malformed(field, "is not a number");
  const auto& s = it->get_ref<const std::string&>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return Malformed(field, "is not a number");
  return v;
}

Result<bool> BoolField(const json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Malformed(field, "is not a boolean");
  return it->get<bool>();
}

Result<KeyValue> KeyValueFrom(const json& kv) {
  if (!kv.is_object()) return Malformed("kvs", "holds something else than objects");
  KeyValue out;
  auto key = Base64Field(kv, "key");
  auto value = Base64Field(kv, "value");
  auto create = Int64Field(kv, "create_revision");
  auto mod = Int64Field(kv, "mod_revision");
  auto lease = Int64Field(kv, "lease");
  for (const Status* s :
       {&key.status(), &value.status(), &create.status(), &mod.status(), &lease.status()}) {
    if (!s->ok()) return *s;
  }
  if (*create <= 0 || *mod < *create) return Malformed("create_revision", "is not a revision");
  return KeyValue{std::move(*key), std::move(*value), *create, *mod, *lease};
}

Result<std::vector<KeyValue>> KvsFrom(const json& range_response) {
  std::vector<KeyValue> out;
  if (!range_response.is_object()) return Malformed("response_range", "is not an object");
  auto it = range_response.find("kvs");
  if (it == range_response.end() || it->is_null()) return out;
  if (!it->is_array()) return Malformed("kvs", "is not an array");
  for (const json& kv : *it) {
    auto one = KeyValueFrom(kv);
    if (!one.ok()) return one.status();
    out.push_back(std::move(*one));
  }
  return out;
}

Status EtcdError(const std::string& method, int http_status, const std::string& body) {
  std::string message = "no message";
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("message");
    if (it == j.end()) it = j.find("error");
    if (it != j.end() && it->is_string()) message = it->get<std::string>();
  }
  return Status(Code::kIo, fmt::format("etcd {}: HTTP {}: {}", method, http_status, message));
}

}  // namespace elk::master::ha
