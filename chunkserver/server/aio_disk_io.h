#pragma once
// A DiskIo whose chunk data goes through libaio with O_DIRECT: requests whose offset,
// length and buffer are 4 KiB-aligned (every block and header write ChunkFile makes, and
// its whole-block reads) are submitted with io_submit on the calling I/O thread's own aio
// context and bypass the page cache; anything else, and every metadata call, goes to the
// wrapped DiskIo (buffered POSIX). A file system that refuses O_DIRECT (tmpfs) gets the
// buffered path for everything. Built without libaio, it is the wrapped DiskIo.

#include <memory>

#include "chunkserver/storage/disk_io.h"

namespace elk::chunkserver {

// `inner` handles metadata calls and unaligned transfers; it must be the POSIX DiskIo (the
// direct descriptor is opened on the same path).
std::unique_ptr<chunkstore::DiskIo> NewAioDiskIo(std::unique_ptr<chunkstore::DiskIo> inner);

// True when this build has libaio.
bool AioAvailable();

}  // namespace elk::chunkserver
