#pragma once
// Messages any peer may send to any other (ANTOAN_*). Layouts: name:bits; strings are
// u32 length + bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/status.h"

namespace elk::protocol {

// Who is on the other end of a connection.
enum class Role : uint8_t {
  kUnknown = 0,
  kMaster = 1,
  kChunkserver = 2,
  kClient = 3,
  kMetalogger = 4,
  kTool = 5,
  kIscsiTarget = 6,
  // Reads the monitor's pages (CLTOMA_MONITOR) and nothing else: mfscli, mfscgiserv. Any
  // master answers it about itself, a follower too (no redirect).
  kMonitor = 7,
  kLast,
};

// ANTOAN_NOP: (empty). Keep-alive; also a safe no-op for the event loop.
struct AntoanNop {
  static constexpr uint32_t kType = ANTOAN_NOP;
  ELK_FIELDS()
};

// ANTOAN_HELLO: protocol_version:32 role:8 software_version:(len:32 text)
// The first frame each side sends; see hello.h.
struct AntoanHello {
  static constexpr uint32_t kType = ANTOAN_HELLO;
  uint32_t protocol_version = 0;
  Role role = Role::kUnknown;
  std::string software_version;  // "0.1.0"
  ELK_FIELDS(protocol_version, role, software_version)
};

// ANTOAN_STATUS: status:8 message:(len:32 text)
// Why a peer is about to close the connection (a refused hello, a bad frame).
struct AntoanStatus {
  static constexpr uint32_t kType = ANTOAN_STATUS;
  Code status = Code::kOk;
  std::string message;
  ELK_FIELDS(status, message)
};

// ANTOAN_AUTH_CHALLENGE: challenge:(len:32 bytes)
// Master to chunkserver or metalogger, once their hello is accepted: 32 random bytes when the
// master has an AUTH_CODE, empty when it has none (common/auth/auth_code.h).
struct AntoanAuthChallenge {
  static constexpr uint32_t kType = ANTOAN_AUTH_CHALLENGE;
  std::vector<uint8_t> challenge;
  ELK_FIELDS(challenge)
};

// ANTOAN_AUTH_ANSWER: answer:(len:32 bytes)
// The peer's proof, before its registration: HMAC-SHA256 of the challenge keyed by
// AUTH_CODE (32 bytes), or empty when the peer has no code.
struct AntoanAuthAnswer {
  static constexpr uint32_t kType = ANTOAN_AUTH_ANSWER;
  std::vector<uint8_t> answer;
  ELK_FIELDS(answer)
};

// ANTOAN_NOT_LEADER: epoch:64 host:(len:32 text) port:16
// A follower master's answer to a hello (instead of its own challenge or session): it is
// not the leader; the leader of `epoch` serves the same port's role at host:port (its
// client port for a client, chunkserver port for a chunkserver, metalogger port for a
// metalogger). The follower then closes the connection; the peer connects there.
// An empty host: the leader is not known yet (retry later, here or elsewhere).
struct AntoanNotLeader {
  static constexpr uint32_t kType = ANTOAN_NOT_LEADER;
  uint64_t epoch = 0;
  std::string host;
  uint16_t port = 0;
  ELK_FIELDS(epoch, host, port)
};

}  // namespace elk::protocol
