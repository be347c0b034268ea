#pragma once
// What a LUN stores its blocks on: an ElkFS volume file in mfsiscsid, memory in tests.
// Offsets and lengths are in bytes, multiples of the logical block size. Calls come from
// many threads at once; two calls never overlap in range unless the initiator sent
// overlapping commands (whose order SCSI leaves open anyway).

#include <cstdint>
#include <span>

#include "common/status.h"

namespace elk::iscsi {

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;
  virtual uint64_t size_bytes() const = 0;
  virtual Status Read(uint64_t offset, std::span<uint8_t> out) = 0;
  // Returns once every copy has the data.
  virtual Status Write(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Makes every acknowledged write durable as far as the device can.
  virtual Status Flush() = 0;
  // Frees the range so that it reads as zeros; kNotSupported when the device can't.
  virtual Status Unmap(uint64_t offset, uint64_t length) = 0;
  virtual bool can_unmap() const { return false; }
  // GET LBA STATUS: whether the stretch of the device holding `offset` is allocated, and
  // where that stretch ends (bytes, exclusive). A device that cannot tell calls it all
  // mapped, which is always a safe answer: a mapped block is simply read.
  struct Allocation {
    bool mapped = true;
    uint64_t end = 0;
  };
  virtual Result<Allocation> AllocationAt(uint64_t /*offset*/) {
    return Allocation{.mapped = true, .end = size_bytes()};
  }
  // Fills `out` only if it can without waiting on anything (from memory); false otherwise.
  // Lets the target answer cached reads on the connection's own thread.
  virtual bool TryReadCached(uint64_t /*offset*/, std::span<uint8_t> /*out*/) { return false; }
};

}  // namespace elk::iscsi
