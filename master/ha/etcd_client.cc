#include "master/ha/etcd_client.h"

#include <fmt/format.h>

#include "master/ha/base64.h"
#include "master/ha/etcd_json.h"

namespace elk::master::ha {
namespace {

using nlohmann::json;

// int64 as the gateway writes them: decimal strings.
std::string Num(int64_t v) {
  return std::to_string(v);
}

// The first response of a TxnResponse, of kind `kind` ("response_range", ...).
Result<const json*> TxnResponse(const json& txn, const char* kind) {
  auto responses = txn.find("responses");
  if (responses == txn.end() || !responses->is_array() || responses->empty() ||
      !responses->front().is_object()) {
    return Status(Code::kProtocol, "etcd answer: a transaction without responses");
  }
  auto it = responses->front().find(kind);
  if (it == responses->front().end()) {
    return Status(Code::kProtocol, fmt::format("etcd answer: no '{}' in the transaction", kind));
  }
  return &*it;
}

// nlohmann::json throws (on a type mismatch, a bad UTF-8 string to dump...): whatever the
// parsing above missed becomes an error value here, never an exception out of the client.
template <typename Fn>
auto NoThrow(const char* method, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status(Code::kProtocol, fmt::format("etcd {}: {}", method, e.what()));
  }
}

}  // namespace

Result<std::unique_ptr<EtcdClient>> EtcdClient::Connect(std::string_view endpoints,
                                                        std::chrono::milliseconds timeout) {
  auto list = ParseEndpoints(endpoints);
  if (!list.ok()) return list.status();
  auto transport = HttpTransport::Create(std::move(*list), timeout);
  if (!transport.ok()) return transport.status();
  return std::make_unique<EtcdClient>(std::move(*transport));
}

// Posts to /v3/<method>; the body of a 200 answer, or the error as a Status.
Result<std::string> EtcdClient::Call(const std::string& method, const std::string& body) {
  auto answer = transport_->Post("/v3/" + method, body);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) return EtcdError(method, answer->status, answer->body);
  return std::move(answer->body);
}

Result<Lease> EtcdClient::GrantLease(int64_t ttl_seconds) {
  return NoThrow("lease/grant", [&]() -> Result<Lease> {
    auto body = Call("lease/grant", json{{"TTL", Num(ttl_seconds)}}.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    auto id = Int64Field(*j, "ID");
    auto ttl = Int64Field(*j, "TTL");
    if (!id.ok()) return id.status();
    if (!ttl.ok()) return ttl.status();
    if (*id == 0 || *ttl <= 0)
      return Status(Code::kProtocol, "etcd answer: a lease without id or TTL");
    return Lease{*id, *ttl};
  });
}

Result<int64_t> EtcdClient::KeepAlive(int64_t lease) {
  return NoThrow("lease/keepalive", [&]() -> Result<int64_t> {
    // A stream of requests on gRPC; through the gateway one request gets one {"result": ...}.
    auto body = Call("lease/keepalive", json{{"ID", Num(lease)}}.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    auto result = j->find("result");
    if (result == j->end() || !result->is_object()) {
      return Status(Code::kProtocol, "etcd answer: a keep-alive without result");
    }
    auto ttl = Int64Field(*result, "TTL");
    if (!ttl.ok()) return ttl.status();
    return *ttl < 0 ? 0 : *ttl;
  });
}

Status EtcdClient::RevokeLease(int64_t lease) {
  return NoThrow("lease/revoke", [&]() -> Status {
    auto body = Call("lease/revoke", json{{"ID", Num(lease)}}.dump());
    if (!body.ok()) {
      // Revoking what is already gone leaves the same state as revoking it.
      if (body.status().message().find("lease not found") != std::string::npos) return Status::Ok();
      return body.status();
    }
    return ParseObject(*body).status();
  });
}

Result<CreateResult> EtcdClient::CreateIfAbsent(const std::string& key, const std::string& value,
                                                int64_t lease) {
  return NoThrow("kv/txn", [&]() -> Result<CreateResult> {
    std::string k = Base64Encode(key);
    json read = {{"request_range", {{"key", k}}}};
    json txn = {
        {"compare",
         json::array(
             {{{"key", k}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}})},
        {"success",
         json::array({{{"request_put",
                        {{"key", k}, {"value", Base64Encode(value)}, {"lease", Num(lease)}}}},
                      read})},
        {"failure", json::array({read})}};
    auto body = Call("kv/txn", txn.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    auto created = BoolField(*j, "succeeded");
    if (!created.ok()) return created.status();
    // The read is the last response of either branch.
    auto responses = j->find("responses");
    if (responses == j->end() || !responses->is_array() || responses->empty() ||
        !responses->back().is_object() || !responses->back().contains("response_range")) {
      return Status(Code::kProtocol, "etcd answer: a transaction without its read");
    }
    auto kvs = KvsFrom(responses->back()["response_range"]);
    if (!kvs.ok()) return kvs.status();
    // Absent after a put in the same transaction, or before a failed compare: not etcd.
    if (kvs->size() != 1) return Status(Code::kProtocol, "etcd answer: the key is not there");
    return CreateResult{*created, std::move(kvs->front())};
  });
}

Result<std::optional<KeyValue>> EtcdClient::Get(const std::string& key) {
  return NoThrow("kv/range", [&]() -> Result<std::optional<KeyValue>> {
    auto body = Call("kv/range", json{{"key", Base64Encode(key)}}.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    auto kvs = KvsFrom(*j);
    if (!kvs.ok()) return kvs.status();
    if (kvs->empty()) return std::optional<KeyValue>();
    if (kvs->size() != 1) return Status(Code::kProtocol, "etcd answer: several values for one key");
    return std::optional<KeyValue>(std::move(kvs->front()));
  });
}

Result<std::vector<KeyValue>> EtcdClient::GetPrefix(const std::string& prefix) {
  return NoThrow("kv/range", [&]() -> Result<std::vector<KeyValue>> {
    if (prefix.empty()) return Status(Code::kInval, "an empty key prefix");
    // etcd's range [prefix, end): end is the prefix with its last byte raised by one
    // (a last byte of 0xff is dropped first, as etcd's own clients do).
    std::string end = prefix;
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff)
      end.pop_back();
    if (end.empty()) return Status(Code::kInval, "a key prefix of 0xff bytes only");
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    auto body = Call("kv/range",
                     json{{"key", Base64Encode(prefix)}, {"range_end", Base64Encode(end)}}.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    return KvsFrom(*j);
  });
}

Result<bool> EtcdClient::DeleteIfModRevision(const std::string& key, int64_t mod_revision) {
  return NoThrow("kv/txn", [&]() -> Result<bool> {
    std::string k = Base64Encode(key);
    json txn = {{"compare", json::array({{{"key", k},
                                          {"target", "MOD"},
                                          {"result", "EQUAL"},
                                          {"mod_revision", Num(mod_revision)}}})},
                {"success", json::array({{{"request_delete_range", {{"key", k}}}}})}};
    auto body = Call("kv/txn", txn.dump());
    if (!body.ok()) return body.status();
    auto j = ParseObject(*body);
    if (!j.ok()) return j.status();
    auto deleted = BoolField(*j, "succeeded");
    if (!deleted.ok() || !*deleted) return deleted;
    auto response = TxnResponse(*j, "response_delete_range");
    if (!response.ok()) return response.status();
    return true;
  });
}

Status EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  return NoThrow("kv/put", [&]() -> Status {
    json put = {{"key", Base64Encode(key)}, {"value", Base64Encode(value)}};
    if (lease != 0) put["lease"] = Num(lease);
    auto body = Call("kv/put", put.dump());
    if (!body.ok()) return body.status();
    return ParseObject(*body).status();
  });
}

}  // namespace elk::master::ha
