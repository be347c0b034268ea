// mfsfileinfo and mfscheckfile on sparse files: they ask for the chunks a file has, page by
// page, and print long runs of holes as one line, so a file of 2^57 bytes with two chunks
// costs two chunks.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mount/tools/dispatch.h"
#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {
namespace {

constexpr uint64_t kChunkSize = uint64_t{64} << 20;
constexpr uint32_t kLastIndex = 0x7FFFFFFF;

ChunkInfo OneCopy(uint64_t id) {
  return ChunkInfo{id, 1, {{0x7F000001, 9422, CopyState::kValid}}};
}

std::string ChunkLines(uint32_t index, uint64_t id) {
  return fmt::format(
      "\tchunk {}: {:016X}_00000001 / (id:{} ver:1)\n\t\tcopy 1: 127.0.0.1:9422 (status:VALID)\n",
      index, id, id);
}

std::string EmptyLines(uint32_t first, uint32_t end) {
  std::string out;
  for (uint32_t i = first; i < end; ++i)
    out += fmt::format("\tchunk {}: empty\n", i);
  return out;
}

TEST(SparseFile, TwoChunksAtTheEndsOfTheLargestFileTakeOneRequest) {
  ToolHarness h;
  uint32_t f = h.tree.AddFile(1, "huge", uint64_t{kLastIndex} * kChunkSize + 1, {OneCopy(5)});
  h.tree.node(f).chunks[kLastIndex] = OneCopy(6);

  RunResult info = h.Run({"mfsfileinfo", "huge"});
  EXPECT_EQ(info.rc, 0);
  EXPECT_EQ(info.out, "huge:\n" + ChunkLines(0, 5) + "\tchunks 1-2147483646: empty\n" +
                          ChunkLines(kLastIndex, 6));
  EXPECT_EQ(h.tree.chunk_requests, 1);

  h.tree.chunk_requests = 0;
  RunResult check = h.Run({"mfscheckfile", "huge"});
  EXPECT_EQ(check.rc, 0);
  EXPECT_EQ(check.out, "huge:\n chunks with 1 copy:              2\n");
  EXPECT_EQ(h.tree.chunk_requests, 1);
}

TEST(SparseFile, AFileOfHolesOnlyPrintsOneLineAndCountsNothing) {
  ToolHarness h;
  h.tree.AddFile(1, "holes", uint64_t{1} << 56);
  EXPECT_EQ(h.Run({"mfsfileinfo", "holes"}).out, "holes:\n\tchunks 0-1073741823: empty\n");
  EXPECT_EQ(h.Run({"mfscheckfile", "holes"}).out, "holes:\n");
  EXPECT_EQ(h.tree.chunk_requests, 2);
}

// Up to 16 holes in a row keep MooseFS's line per hole; 17 become one line.
TEST(SparseFile, ShortRunsOfHolesKeepALinePerHole) {
  ToolHarness h;
  uint32_t f = h.tree.AddFile(1, "runs", 0, {OneCopy(1)});
  h.tree.node(f).chunks[17] = OneCopy(2);   // 16 holes before it
  h.tree.node(f).chunks[35] = OneCopy(3);   // 17 holes before it
  h.tree.node(f).length = 40 * kChunkSize;  // 4 holes at the end
  RunResult r = h.Run({"mfsfileinfo", "runs"});
  EXPECT_EQ(r.out, "runs:\n" + ChunkLines(0, 1) + EmptyLines(1, 17) + ChunkLines(17, 2) +
                       "\tchunks 18-34: empty\n" + ChunkLines(35, 3) + EmptyLines(36, 40));
  EXPECT_EQ(h.tree.chunk_requests, 2) << "pages of two chunks";
}

// Many chunks come over several pages and print as they did when asked one by one.
TEST(SparseFile, PagesJoinUpIntoTheSameOutput) {
  ToolHarness h;
  std::vector<ChunkInfo> chunks;
  std::string expected = "dense:\n";
  for (uint32_t i = 0; i < 7; ++i) {
    chunks.push_back(i == 3 ? ChunkInfo{} : OneCopy(100 + i));
    expected += i == 3 ? EmptyLines(3, 4) : ChunkLines(i, 100 + i);
  }
  h.tree.AddFile(1, "dense", 7 * kChunkSize, chunks);
  EXPECT_EQ(h.Run({"mfsfileinfo", "dense"}).out, expected);
  EXPECT_EQ(h.tree.chunk_requests, 3) << "six chunks, two a page";
  EXPECT_EQ(h.Run({"mfscheckfile", "dense"}).out, "dense:\n chunks with 1 copy:              6\n");
}

// A backend whose pages do not move on is refused instead of looping.
class StuckBackend final : public ToolBackend {
 public:
  Result<uint8_t> GetGoal(uint32_t) override { return Status(Code::kNotSupported); }
  Result<ValueStats> GetGoalRecursive(uint32_t) override { return Status(Code::kNotSupported); }
  Result<SetCounts> SetGoal(uint32_t, uint32_t, uint8_t, SetMode, bool) override {
    return Status(Code::kNotSupported);
  }
  Result<uint32_t> GetTrashTime(uint32_t) override { return Status(Code::kNotSupported); }
  Result<ValueStats> GetTrashTimeRecursive(uint32_t) override {
    return Status(Code::kNotSupported);
  }
  Result<SetCounts> SetTrashTime(uint32_t, uint32_t, uint32_t, SetMode, bool) override {
    return Status(Code::kNotSupported);
  }
  explicit StuckBackend(int& calls) : calls_(calls) {}
  Result<ChunkPage> FileChunks(uint32_t, uint32_t from) override {
    ++calls_;
    ChunkPage page;
    page.file_length = kChunkSize;
    page.chunks.push_back({0, ChunkInfo{1, 1, {}}});
    page.next = from;  // "go on from where you asked": never advances
    return page;
  }
  Result<DirStats> DirInfo(uint32_t) override { return Status(Code::kNotSupported); }
  Result<std::vector<std::string>> Paths(uint32_t) override { return Status(Code::kNotSupported); }
  Result<RepairCounts> RepairFile(uint32_t, const Credentials&) override {
    return Status(Code::kNotSupported);
  }
  Result<std::vector<uint32_t>> CopyChecksums(const ChunkCopy&, uint64_t, uint32_t) override {
    return Status(Code::kNotSupported);
  }
  Status MakeSnapshot(uint32_t, uint32_t, const std::string&, const Credentials&,
                      const SnapshotOptions&) override {
    return Status(Code::kNotSupported);
  }
  Status AppendChunks(uint32_t, uint32_t, const Credentials&) override {
    return Status(Code::kNotSupported);
  }

 private:
  int& calls_;  // outlives the backend, which the run's session destroys
};

TEST(SparseFile, APageThatDoesNotMoveOnIsAnError) {
  FakeTree tree;
  tree.AddFile(1, "f", kChunkSize);
  FakeProbe probe(tree);
  int calls = 0;
  BackendFactory factory = [&](const MasterInfo&) -> Result<std::unique_ptr<ToolBackend>> {
    return std::unique_ptr<ToolBackend>(std::make_unique<StuckBackend>(calls));
  };
  std::ostringstream out;
  std::ostringstream err;
  Credentials creds;
  ToolEnv env{out, err, probe, factory, creds, std::nullopt, -1, {}};
  const std::vector<std::string> argv = {"mfsfileinfo", "f"};
  EXPECT_EQ(MultiCallMain(env, argv), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("f: "), std::string::npos);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace elk::tools::testing
