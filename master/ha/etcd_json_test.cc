// EtcdClient against scripted answers: what it sends, how it reads the gateway's JSON, and
// that every malformed answer is an error value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "master/ha/etcd_client.h"
#include "master/ha/test_transport.h"

namespace elk::master::ha {
namespace {

using testing::ScriptedTransport;

class EtcdClientScriptTest : public ::testing::Test {
 protected:
  EtcdClientScriptTest() {
    auto t = std::make_unique<ScriptedTransport>();
    script_ = t.get();
    client_ = std::make_unique<EtcdClient>(std::move(t));
  }
  void Answer(std::string body, int status = 200) {
    script_->Push(HttpAnswer{status, std::move(body)});
  }
  ScriptedTransport* script_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClientScriptTest, SendsBase64KeysAndNumbersAsStrings) {
  Answer(R"({"header":{"revision":"9"},"succeeded":true,"responses":[
    {"response_put":{}},
    {"response_range":{"kvs":[{"key":"L2EvbA==","value":"dg==","create_revision":"9",
                                "mod_revision":"9","lease":"77"}],"count":"1"}}]})");
  auto r = client_->CreateIfAbsent("/a/l", "v", 77);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->created);
  EXPECT_EQ(r->kv.key, "/a/l");
  EXPECT_EQ(r->kv.value, "v");
  EXPECT_EQ(r->kv.create_revision, 9);
  EXPECT_EQ(r->kv.lease, 77);
  EXPECT_EQ(script_->last_path, "/v3/kv/txn");
  auto sent = nlohmann::json::parse(script_->last_body);
  EXPECT_EQ(sent["compare"][0]["key"], "L2EvbA==");
  EXPECT_EQ(sent["compare"][0]["create_revision"], "0");
  EXPECT_EQ(sent["success"][0]["request_put"]["lease"], "77");
}

TEST_F(EtcdClientScriptTest, ReadsAbsentFieldsAsZero) {
  Answer(R"({"header":{}})");  // a range that found nothing: no kvs at all
  auto got = client_->Get("/nothing");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  Answer(R"({"result":{"ID":"5"}})");  // keep-alive of an expired lease: no TTL
  auto ttl = client_->KeepAlive(5);
  ASSERT_TRUE(ttl.ok());
  EXPECT_EQ(*ttl, 0);
}

TEST_F(EtcdClientScriptTest, EtcdErrorsCarryTheirMessage) {
  Answer(R"({"error":"etcdserver: requested lease not found","code":5})", 400);
  auto lease = client_->GrantLease(5);
  EXPECT_EQ(lease.code(), Code::kIo);
  EXPECT_NE(lease.status().message().find("requested lease not found"), std::string::npos);
  // ... but revoking a lease that is gone is what the caller wanted.
  Answer(R"({"error":"etcdserver: requested lease not found","code":5})", 400);
  EXPECT_TRUE(client_->RevokeLease(5).ok());
  // No answer at all.
  EXPECT_EQ(client_->Get("/k").code(), Code::kCantConnect);
}

TEST_F(EtcdClientScriptTest, MalformedAnswersAreErrors) {
  const char* bodies[] = {
      "",
      "garbage",
      "[]",
      "42",
      R"("str")",
      "{",
      R"({"kvs":"no"})",
      R"({"kvs":[1]})",
      R"({"kvs":[{"key":"***","create_revision":"1","mod_revision":"1"}]})",
      R"({"kvs":[{"key":"YQ==","create_revision":"x","mod_revision":"1"}]})",
      R"({"kvs":[{"key":"YQ==","create_revision":true,"mod_revision":"1"}]})",
      R"({"kvs":[{"key":"YQ==","create_revision":"99999999999999999999","mod_revision":"1"}]})",
      R"({"kvs":[{"key":"YQ==","mod_revision":"1"}]})",
      R"({"kvs":[{"key":"YQ==","create_revision":"1","mod_revision":"1"},
                 {"key":"YQ==","create_revision":"1","mod_revision":"1"}]})",
  };
  for (const char* body : bodies) {
    Answer(body);
    EXPECT_EQ(client_->Get("/a").code(), Code::kProtocol) << body;
  }
  for (const char* body : {R"({"ID":"1"})", R"({"ID":"x","TTL":"5"})", R"({"TTL":5.5,"ID":1})"}) {
    Answer(body);
    EXPECT_EQ(client_->GrantLease(5).code(), Code::kProtocol) << body;
  }
  for (const char* body : {R"({})", R"({"result":[]})", R"({"result":{"TTL":{}}})"}) {
    Answer(body);
    EXPECT_EQ(client_->KeepAlive(1).code(), Code::kProtocol) << body;
  }
  for (const char* body : {R"({"succeeded":"yes"})", R"({"succeeded":true})",
                           R"({"succeeded":true,"responses":[{"response_range":{}}]})",
                           R"({"succeeded":false,"responses":[7]})"}) {
    Answer(body);
    EXPECT_EQ(client_->CreateIfAbsent("/a", "v", 1).code(), Code::kProtocol) << body;
  }
  Answer(R"({"succeeded":true,"responses":[]})");
  EXPECT_EQ(client_->DeleteIfModRevision("/a", 3).code(), Code::kProtocol);
}

TEST_F(EtcdClientScriptTest, AFailedCompareDeletesNothing) {
  Answer(R"({"header":{"revision":"12"}})");
  auto deleted = client_->DeleteIfModRevision("/a", 3);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
}

}  // namespace
}  // namespace elk::master::ha
