#pragma once
// What the tools and the monitor show about chunks: one chunk's copies (mfsfileinfo),
// a file's chunks counted by valid copies (mfscheckfile), and the cluster-wide matrix of
// goal by valid copies (mfscli -SIC, the monitor).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "master/chunks/registry.h"

namespace elk::master {

// As mfsfileinfo prints a copy.
enum class CopyView : uint8_t {
  kValid = 0,
  kWrongVersion = 1,
  kMarkedForRemoval = 2,  // valid, but its disk or server is being emptied
  kBeingDeleted = 3,
  kBusy = 4,
};

struct CopyInfo {
  Location location;
  uint32_t version = 0;
  CopyView view = CopyView::kValid;
};

struct ChunkInfo {
  ChunkId id = 0;
  uint32_t version = 0;
  uint32_t refcount = 0;
  uint8_t goal = 0;
  bool locked = false;
  uint32_t valid_copies = 0;
  std::vector<CopyInfo> copies;
};

Result<ChunkInfo> DescribeChunk(const ChunkRegistry& registry, ChunkId id, uint32_t now);

// by_copies[n]: chunks of the list with n valid copies (the last slot: that many or
// more); holes (id 0) and unknown ids count as 0 copies.
inline constexpr uint32_t kCopySlots = 11;
struct CopyHistogram {
  std::array<uint64_t, kCopySlots> by_copies{};
};
CopyHistogram CountByCopies(const ChunkRegistry& registry, std::span<const ChunkId> chunks);

// The monitor's health table. cells[goal][copies]: chunks whose goal is `goal` (0: no
// references left, pending deletion) and that have `copies` valid copies (last slot: that
// many or more). `all` counts every valid copy, `regular` leaves out copies marked for
// removal, as MooseFS shows both.
struct ChunkMatrix {
  using Table = std::array<std::array<uint64_t, kCopySlots>, kMaxChunkGoal + 1>;
  Table all{};
  Table regular{};
  uint64_t missing = 0;           // referenced, no valid copy
  uint64_t endangered = 0;        // goal > 1, one valid copy
  uint64_t undergoal = 0;         // fewer valid copies than goal (endangered and missing included)
  uint64_t stable = 0;            // exactly goal
  uint64_t overgoal = 0;          // more than goal
  uint64_t pending_deletion = 0;  // no references, copies still to delete
};
ChunkMatrix BuildMatrix(const ChunkRegistry& registry);

}  // namespace elk::master
