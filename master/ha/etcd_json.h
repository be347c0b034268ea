#pragma once
// Reading etcd gateway answers without exceptions: every field is looked up and
// type-checked; a missing number is 0 (proto3's JSON leaves zero values out), a number
// may come as a JSON string (how int64 is mapped) or a JSON integer.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "master/ha/etcd_client.h"

namespace elk::master::ha {

// kProtocol unless the body is a JSON object.
Result<nlohmann::json> ParseObject(const std::string& body);
Result<int64_t> Int64Field(const nlohmann::json& object, const char* field);
Result<bool> BoolField(const nlohmann::json& object, const char* field);
// A mvccpb.KeyValue: key and value decoded from base64.
Result<KeyValue> KeyValueFrom(const nlohmann::json& kv);
// The `kvs` of a RangeResponse (none: empty).
Result<std::vector<KeyValue>> KvsFrom(const nlohmann::json& range_response);
// An etcd error answer ({"error": ..., "code": N}) as a Status for people.
Status EtcdError(const std::string& method, int http_status, const std::string& body);

}  // namespace elk::master::ha
