#pragma once
// Test-only peers of the master, over BlockingClient: a fake chunkserver and a client.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/net/address.h"
#include "common/net/blocking_client.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocl.h"
#include "common/protocol/matocs.h"
#include "common/status.h"
#include "master/sessions/password.h"

namespace elk::master::test {

using namespace std::chrono_literals;

// A framed peer that says hello as `role`.
class Peer {
 public:
  Status Connect(uint16_t port, protocol::Role role) {
    auto c = net::BlockingClient::Connect({net::kLoopbackIp, port}, 5000ms);
    if (!c.ok()) return c.status();
    client_.emplace(std::move(*c));
    auto hello = Receive<protocol::AntoanHello>();
    if (!hello.ok()) return hello.status();
    return Send(protocol::MakeHello(role, "test"));
  }
  template <typename M>
  Status Send(const M& m) {
    auto p = protocol::EncodePayload(m);
    if (!p.ok()) return p.status();
    return client_->Send(M::kType, *p);
  }
  Result<net::Frame> ReceiveFrame(std::chrono::milliseconds timeout = 5000ms) {
    return client_->Receive(timeout);
  }
  template <typename M>
  Result<M> Receive(std::chrono::milliseconds timeout = 5000ms) {
    auto f = client_->Receive(timeout);
    if (!f.ok()) return f.status();
    if (f->type != M::kType) {
      return Status(Code::kProtocol,
                    fmt::format("expected {}, got {}", protocol::TypeName(M::kType),
                                protocol::TypeName(f->type)));
    }
    return protocol::Decode<M>(f->payload);
  }
  void Close() { client_.reset(); }

 private:
  std::optional<net::BlockingClient> client_;
};

// A chunkserver that registers with a chunk list and answers commands by hand.
class FakeChunkserver : public Peer {
 public:
  Result<uint32_t> Register(uint16_t master_port, uint16_t my_port,
                            std::vector<protocol::ChunkVersion> chunks) {
    ELK_RETURN_IF_ERROR(Connect(master_port, protocol::Role::kChunkserver));
    auto challenge = Receive<protocol::AntoanAuthChallenge>();  // empty: no AUTH_CODE
    if (!challenge.ok()) return challenge.status();
    ELK_RETURN_IF_ERROR(Send(protocol::CstomaRegister{{net::kLoopbackIp, my_port},
                                                      uint64_t{1} << 30,
                                                      uint64_t{100} << 30,
                                                      static_cast<uint32_t>(chunks.size())}));
    ELK_RETURN_IF_ERROR(Send(protocol::CstomaRegisterChunks{std::move(chunks)}));
    ELK_RETURN_IF_ERROR(Send(protocol::CstomaRegisterDone{}));
    auto reg = Receive<protocol::MatocsRegister>();
    if (!reg.ok()) return reg.status();
    if (reg->status != Code::kOk) return Status(reg->status, "registration refused");
    return reg->server_id;
  }
  // Answers the next create command with `status`; returns the chunk id.
  Result<uint64_t> AnswerCreate(Code status = Code::kOk) {
    auto cmd = Receive<protocol::MatocsCreateChunk>();
    if (!cmd.ok()) return cmd.status();
    ELK_RETURN_IF_ERROR(Send(protocol::CstomaCreateChunk{cmd->chunkid, status}));
    return cmd->chunkid;
  }
};

// A client: registers a session, then sends requests and reads their replies.
class TestClient : public Peer {
 public:
  Status Hello(uint16_t port) { return Connect(port, protocol::Role::kClient); }
  // Registers (answering a challenge when a password is given); the reply or the status.
  Result<protocol::MatoclRegisterSession> Register(const std::string& folder,
                                                   const std::string& password = "",
                                                   uint32_t session_id = 0);
  // Sends m (its msgid set) and returns the reply R, or the status of a MATOCL_STATUS.
  template <typename R, typename M>
  Result<R> Call(M m) {
    m.msgid = ++msgid_;
    ELK_RETURN_IF_ERROR(Send(m));
    auto f = ReceiveFrame();
    if (!f.ok()) return f.status();
    if (f->type == protocol::MATOCL_STATUS) {
      auto st = protocol::Decode<protocol::MatoclStatus>(f->payload);
      if (!st.ok()) return st.status();
      if (st->msgid != m.msgid) return Status(Code::kProtocol, "msgid mismatch");
      if (st->status != Code::kOk) return Status(st->status);
      if constexpr (std::is_same_v<R, protocol::MatoclStatus>) return *st;
      return Status(Code::kProtocol, "MATOCL_STATUS ok where a reply was expected");
    }
    if (f->type != R::kType) return Status(Code::kProtocol, protocol::TypeName(f->type).data());
    auto r = protocol::Decode<R>(f->payload);
    if (r.ok() && r->msgid != m.msgid) return Status(Code::kProtocol, "msgid mismatch");
    return r;
  }
  // For requests that answer MATOCL_STATUS only.
  template <typename M>
  Status Do(M m) {
    return Call<protocol::MatoclStatus>(std::move(m)).status();
  }
  uint32_t next_msgid() { return ++msgid_; }

 private:
  uint32_t msgid_ = 0;
};

inline Result<protocol::MatoclRegisterSession> TestClient::Register(const std::string& folder,
                                                                    const std::string& password,
                                                                    uint32_t session_id) {
  protocol::CltomaRegisterSession reg{0, folder, {}, session_id};
  if (!password.empty()) {
    auto ch = Call<protocol::MatoclChallenge>(protocol::CltomaGetChallenge{});
    if (!ch.ok()) return ch.status();
    Challenge challenge{};
    if (ch->challenge.size() != challenge.size()) return Status(Code::kProtocol, "challenge size");
    std::copy(ch->challenge.begin(), ch->challenge.end(), challenge.begin());
    auto answer = AnswerChallenge(KeyOfPassword(password), challenge);
    reg.password_response.assign(answer.begin(), answer.end());
  }
  return Call<protocol::MatoclRegisterSession>(reg);
}

}  // namespace elk::master::test
