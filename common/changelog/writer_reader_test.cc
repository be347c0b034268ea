#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/changelog/reader.h"
#include "common/changelog/writer.h"

namespace elk::changelog {
namespace {

namespace fs = std::filesystem;

class ChangelogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/elk-changelog-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Writer> Open(uint64_t last, uint32_t back_logs = 3) {
    WriterOptions o;
    o.dir = dir_;
    o.back_logs = back_logs;
    auto w = Writer::Open(o, last);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return std::move(*w);
  }
  static std::string Body(uint64_t v) { return BodyWriter(100, "OP").Num(v).Done(); }

  std::vector<uint64_t> ReplayAll(uint64_t after, bool cut = false, Status* error = nullptr) {
    std::vector<uint64_t> seen;
    auto last = Replay(ListFiles(dir_, "changelog"), after, cut, [&](const Record& r) {
      seen.push_back(r.version);
      return Status::Ok();
    });
    if (error) *error = last.status();
    return seen;
  }

  std::string dir_;
};

TEST_F(ChangelogTest, AppendedRecordsReachTheFileOnlyAtCommit) {
  auto w = Open(0);
  ASSERT_TRUE(w->Append(1, Body(1)).ok());
  ASSERT_TRUE(w->Append(2, Body(2)).ok());
  EXPECT_EQ(fs::file_size(w->current_path()), 0u);
  ASSERT_TRUE(w->Commit().ok());
  auto c = ReadFile(w->current_path());
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->records.size(), 2u);
  EXPECT_EQ(c->records[1].body, Body(2));
  EXPECT_FALSE(c->torn_tail);
}

TEST_F(ChangelogTest, UnsyncedRecordsAreWrittenAndRideOnTheNextSync) {
  auto w = Open(0);
  ASSERT_TRUE(w->Append(1, Body(1), /*sync=*/false).ok());
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(w->syncs(), 0u);
  auto c = ReadFile(w->current_path());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->records.size(), 1u);  // written before any reply, though not synced
  ASSERT_TRUE(w->Append(2, Body(2), /*sync=*/false).ok());
  ASSERT_TRUE(w->Append(3, Body(3)).ok());
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(w->syncs(), 1u);
  ASSERT_TRUE(w->Commit().ok());  // nothing buffered: no sync owed
  EXPECT_EQ(w->syncs(), 1u);
}

TEST_F(ChangelogTest, VersionsMustBeContiguous) {
  auto w = Open(10);
  EXPECT_EQ(w->Append(12, Body(12)).code(), Code::kMismatch);
  EXPECT_TRUE(w->Append(11, Body(11)).ok());
}

TEST_F(ChangelogTest, ReplayRunsAcrossRotatedFilesInOrder) {
  auto w = Open(0);
  for (uint64_t v = 1; v <= 9; v++) {
    ASSERT_TRUE(w->Append(v, Body(v)).ok());
    if (v % 3 == 0) {
      ASSERT_TRUE(w->Rotate().ok());
    }
  }
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(ListFiles(dir_, "changelog").size(), 4u);
  EXPECT_EQ(ReplayAll(0), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(ReplayAll(5), (std::vector<uint64_t>{6, 7, 8, 9}));
}

TEST_F(ChangelogTest, RotationKeepsOnlyBackLogs) {
  auto w = Open(0, 2);
  for (uint64_t v = 1; v <= 5; v++) {
    ASSERT_TRUE(w->Append(v, Body(v)).ok());
    ASSERT_TRUE(w->Rotate().ok());
  }
  EXPECT_TRUE(fs::exists(ChangelogPath(dir_, "changelog", 2)));
  EXPECT_FALSE(fs::exists(ChangelogPath(dir_, "changelog", 3)));
}

TEST_F(ChangelogTest, TornLastRecordIsCutAndEarlierOnesKept) {
  {
    auto w = Open(0);
    for (uint64_t v = 1; v <= 3; v++)
      ASSERT_TRUE(w->Append(v, Body(v)).ok());
  }
  std::string path = ChangelogPath(dir_, "changelog", 0);
  auto full = fs::file_size(path);
  fs::resize_file(path, full - 5);  // a crash in the middle of writing record 3
  auto c = ReadFile(path);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->torn_tail);
  EXPECT_EQ(c->records.size(), 2u);
  EXPECT_EQ(ReplayAll(0, /*cut=*/true), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(fs::file_size(path), c->valid_bytes);
  // After the cut the writer carries on from version 2 and the file reads clean.
  auto w = Open(2);
  ASSERT_TRUE(w->Append(3, Body(3)).ok());
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(ReplayAll(0), (std::vector<uint64_t>{1, 2, 3}));
}

TEST_F(ChangelogTest, ADamagedRecordInTheMiddleRefusesReplay) {
  {
    auto w = Open(0);
    for (uint64_t v = 1; v <= 3; v++)
      ASSERT_TRUE(w->Append(v, Body(v)).ok());
  }
  std::string path = ChangelogPath(dir_, "changelog", 0);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(3);
  f.put('#');
  f.close();
  Status error;
  EXPECT_TRUE(ReplayAll(0, false, &error).empty());
  EXPECT_EQ(error.code(), Code::kCorruption);
  EXPECT_NE(error.message().find(path), std::string::npos);
}

TEST_F(ChangelogTest, AGapInVersionsRefusesReplay) {
  {
    auto w = Open(0);
    ASSERT_TRUE(w->Append(1, Body(1)).ok());
    ASSERT_TRUE(w->Rotate().ok());
  }
  {
    auto w = Open(5);  // records 2..5 never written: a lost file
    ASSERT_TRUE(w->Append(6, Body(6)).ok());
  }
  Status error;
  ReplayAll(0, false, &error);
  EXPECT_EQ(error.code(), Code::kCorruption);
  EXPECT_NE(error.message().find("missing"), std::string::npos);
}

TEST_F(ChangelogTest, AnApplyErrorStopsReplay) {
  {
    auto w = Open(0);
    for (uint64_t v = 1; v <= 3; v++)
      ASSERT_TRUE(w->Append(v, Body(v)).ok());
  }
  int calls = 0;
  auto r = Replay(ListFiles(dir_, "changelog"), 0, false, [&](const Record& rec) {
    calls++;
    return rec.version == 2 ? Status(Code::kNoEnt, "no parent") : Status::Ok();
  });
  EXPECT_EQ(r.code(), Code::kNoEnt);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace elk::changelog
