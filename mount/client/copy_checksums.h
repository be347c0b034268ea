#pragma once
// mfsfileinfo -c / -s: the block CRCs of one copy of a chunk, asked of the chunkserver that
// holds it (CLTOCS_GET_CHECKSUMS). The chunkserver answers from the chunk file's CRC table,
// without reading the data.

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::client {

// One CRC32C per stored 64 KiB block, in block order. kWrongVersion when the server holds
// another version, kNoChunk when none; kCantConnect / kTimeout / kDisconnected for the link
// (a chunkserver that predates the request closes the connection at it).
Result<std::vector<uint32_t>> ReadCopyChecksums(const protocol::ServerAddr& server,
                                                uint64_t chunk_id, uint32_t version,
                                                std::chrono::milliseconds timeout);

}  // namespace elk::client
