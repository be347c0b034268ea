#pragma once
// Messages any peer may send to any other (ANTOAN_*). Layouts: name:bits; strings are
// u32 length + bytes.

#include <cstdint>
#include <string>

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

}  // namespace elk::protocol
