#pragma once
// Hand-made cluster states for tests: servers with given fullness, chunks with copies on
// given servers. Test-only (header-only, used by chunks/ and replication/ tests).

#include <gtest/gtest.h>

#include <initializer_list>

#include "master/chunks/registry.h"

namespace elk::master::testing {

inline constexpr uint64_t kGiB = uint64_t{1} << 30;

// Server number n at 127.0.0.n:9422 with `used_gib` of 100 GiB used.
inline ServerId AddServer(ChunkRegistry& registry, uint32_t n, uint64_t used_gib = 10,
                          uint64_t total_gib = 100, uint32_t now = 1000) {
  auto id =
      registry.RegisterServer({0x7f000000u + n, 9422}, used_gib * kGiB, total_gib * kGiB, now);
  EXPECT_TRUE(id.ok());
  return id.ok() ? *id : kNoServer;
}

// A chunk with one reference of `goal` and a valid copy on each of `servers`.
inline void AddChunk(ChunkRegistry& registry, ChunkId id, uint8_t goal,
                     std::initializer_list<ServerId> servers) {
  ASSERT_TRUE(registry.ApplyCreate(id, goal).ok());
  for (ServerId s : servers) {
    const ReportedChunk r{id, registry.Find(id)->version(), false};
    ASSERT_TRUE(registry.ServerReportsChunks(s, {&r, 1}).ok());
  }
}

inline CopyState StateOn(const ChunkRegistry& registry, ChunkId id, ServerId server) {
  const Copy* c = registry.Find(id)->copies().Find(server);
  EXPECT_NE(c, nullptr);
  return c ? c->state : CopyState::kInvalid;
}

}  // namespace elk::master::testing
