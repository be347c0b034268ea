#pragma once
// The few etcd v3 calls master election needs, through etcd's HTTP/JSON gateway
// (POST /v3/<service>/<method>, keys and values in base64, 64-bit numbers as strings).
// etcd 3.4 (Debian bookworm's etcd-server) serves the gateway at /v3/ and /v3beta/; we use
// /v3/, which 3.5 serves too.
//
// Every call is one request with the transport's time-out; errors come back as values
// (a malformed answer is kProtocol, an etcd error is kIo with etcd's message), nothing
// throws. One thread at a time.
//
//   auto client = EtcdClient::Connect("http://127.0.0.1:2379", std::chrono::seconds(1));
//   auto lease = (*client)->GrantLease(5);

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "master/ha/etcd_transport.h"

namespace elk::master::ha {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // the revision that created the key (0: absent)
  int64_t mod_revision = 0;     // the revision of its last change
  int64_t lease = 0;            // 0: none
};

struct Lease {
  int64_t id = 0;
  int64_t ttl = 0;  // seconds, as etcd granted it (it raises a too small TTL to its minimum)
};

// What a put-if-absent found: it either created the key (won, `kv` is ours), or the key
// existed (`kv` is whoever holds it).
struct CreateResult {
  bool created = false;
  KeyValue kv;
};

class EtcdClient {
 public:
  explicit EtcdClient(std::unique_ptr<EtcdTransport> transport)
      : transport_(std::move(transport)) {}
  // ETCD_ENDPOINTS-style list over HttpTransport.
  static Result<std::unique_ptr<EtcdClient>> Connect(std::string_view endpoints,
                                                     std::chrono::milliseconds timeout);

  Result<Lease> GrantLease(int64_t ttl_seconds);
  // One keep-alive; the lease's TTL left after it (0: the lease is gone, it expired or
  // was revoked - etcd answers that without an error).
  Result<int64_t> KeepAlive(int64_t lease);
  // Revoking deletes every key attached to the lease. An unknown lease is not an error.
  Status RevokeLease(int64_t lease);

  // One transaction: if `key` does not exist, put it with `value` attached to `lease`;
  // either way read it back.
  Result<CreateResult> CreateIfAbsent(const std::string& key, const std::string& value,
                                      int64_t lease);
  Result<std::optional<KeyValue>> Get(const std::string& key);
  // Every key starting with `prefix` (not empty), in key order.
  Result<std::vector<KeyValue>> GetPrefix(const std::string& prefix);
  // Deletes `key` only if its mod_revision is still `mod_revision` (so a holder deletes
  // its own term, never a successor's). True when it deleted.
  Result<bool> DeleteIfModRevision(const std::string& key, int64_t mod_revision);
  Status Put(const std::string& key, const std::string& value, int64_t lease = 0);

 private:
  Result<std::string> Call(const std::string& method, const std::string& body);

  std::unique_ptr<EtcdTransport> transport_;
};

}  // namespace elk::master::ha
