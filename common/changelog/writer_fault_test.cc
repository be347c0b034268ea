// The changelog writer after a failed write or fdatasync: spent for good, never retrying
// bytes or a sync (issue 17).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/changelog/reader.h"
#include "common/changelog/writer.h"

namespace elk::changelog {
namespace {

namespace fs = std::filesystem;

class ChangelogFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/elk-changelog-fault-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Writer> Open(FileOps ops) {
    WriterOptions o;
    o.dir = dir_;
    o.ops = std::move(ops);
    auto w = Writer::Open(o, 0);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return std::move(*w);
  }
  std::string FileText() {
    std::ifstream in(ChangelogPath(dir_, "changelog", 0), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<uint64_t> Replayed() {
    std::vector<uint64_t> seen;
    (void)Replay(ListFiles(dir_, "changelog"), 0, /*cut=*/false, [&](const Record& r) {
      seen.push_back(r.version);
      return Status::Ok();
    });
    return seen;
  }
  static std::string Body(uint64_t v) { return BodyWriter(100, "OP").Num(v).Done(); }

  std::string dir_;
};

TEST_F(ChangelogFaultTest, AFailedFdatasyncSpendsTheWriterAndIsNeverRetried) {
  int syncs = 0;
  bool fail = false;
  auto w = Open({.fdatasync = [&](int fd) {
    ++syncs;
    if (fail) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  }});
  ASSERT_TRUE(w->Append(1, Body(1)).ok());
  ASSERT_TRUE(w->Commit().ok());
  fail = true;
  ASSERT_TRUE(w->Append(2, Body(2)).ok());
  Status s = w->Commit();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_NE(s.message().find("nothing after version 1 can be acknowledged"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(syncs, 2);

  // The disk "recovers": the writer still refuses, and asks the file nothing more.
  fail = false;
  const std::string before = FileText();
  EXPECT_EQ(w->Append(3, Body(3)).code(), Code::kIo);
  EXPECT_EQ(w->Commit().code(), Code::kIo);
  EXPECT_EQ(w->Rotate().code(), Code::kIo);
  EXPECT_EQ(syncs, 2);
  w.reset();  // the destructor commits nothing either
  EXPECT_EQ(FileText(), before);
  EXPECT_FALSE(fs::exists(ChangelogPath(dir_, "changelog", 1)));  // not rotated
}

TEST_F(ChangelogFaultTest, AShortWriteThenAnErrorNeverWritesTheSameBytesTwice) {
  int calls = 0;
  auto w = Open({.write = [&](int fd, const void* data, size_t size) -> ssize_t {
    ++calls;
    if (calls == 2) return ::write(fd, data, size / 2);  // a short write: goes on from there
    if (calls == 4) return ::write(fd, data, 7);         // part of the next commit lands...
    if (calls == 5) {                                    // ... and the rest finds no room
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  }});
  ASSERT_TRUE(w->Append(1, Body(1)).ok());
  ASSERT_TRUE(w->Commit().ok());  // call 1
  ASSERT_TRUE(w->Append(2, Body(2)).ok());
  ASSERT_TRUE(w->Commit().ok());  // calls 2 (half) and 3 (the rest)
  EXPECT_EQ(Replayed(), (std::vector<uint64_t>{1, 2}));
  const size_t good = FileText().size();

  ASSERT_TRUE(w->Append(3, Body(3)).ok());
  Status s = w->Commit();  // calls 4 (7 bytes) and 5 (ENOSPC)
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNoSpace) << s.ToString();
  EXPECT_NE(s.message().find("7 of"), std::string::npos) << s.ToString();
  EXPECT_EQ(FileText().size(), good + 7);
  EXPECT_FALSE(w->Commit().ok());
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(FileText().size(), good + 7);  // the 7 bytes were not written again
  // Recovery cuts the torn record and keeps the acknowledged ones.
  EXPECT_EQ(Replayed(), (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace elk::changelog
