#include "mount/client/copy_checksums.h"

#include "common/net/blocking_client.h"
#include "common/net/send_msg.h"
#include "common/protocol/cltocs.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/hello.h"

namespace elk::client {

namespace proto = protocol;

Result<std::vector<uint32_t>> ReadCopyChecksums(const proto::ServerAddr& server, uint64_t chunk_id,
                                                uint32_t version,
                                                std::chrono::milliseconds timeout) {
  auto c = net::BlockingClient::Connect(net::Address{server.ip, server.port}, timeout);
  if (!c.ok()) return Status(Code::kCantConnect, c.status().ToString());
  ELK_RETURN_IF_ERROR(net::SendMsg(*c, proto::MakeHello(proto::Role::kTool, "0.1.0")));
  auto hello = c->Receive(timeout);
  if (!hello.ok()) return hello.status();
  if (hello->type != proto::ANTOAN_HELLO) return Status(Code::kProtocol, "no hello");
  auto h = proto::Decode<proto::AntoanHello>(hello->payload);
  if (!h.ok()) return h.status();
  ELK_RETURN_IF_ERROR(proto::CheckHello(*h, {proto::Role::kChunkserver}));
  ELK_RETURN_IF_ERROR(net::SendMsg(*c, proto::CltocsGetChecksums{chunk_id, version}));
  auto frame = c->Receive(timeout);
  if (!frame.ok()) return frame.status();
  if (frame->type != proto::CSTOCL_CHECKSUMS)
    return Status(Code::kProtocol, "not a checksum answer");
  auto m = proto::Decode<proto::CstoclChecksums>(frame->payload);
  if (!m.ok()) return m.status();
  if (m->chunkid != chunk_id || m->version != version) {
    return Status(Code::kProtocol, "checksums of another chunk");
  }
  if (m->status != Code::kOk) return Status(m->status);
  return std::move(m->crcs);
}

}  // namespace elk::client
