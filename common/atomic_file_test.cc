#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace elk {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/elk-atomic-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AtomicFileTest, ReplacesTheWholeFileAndLeavesNoTemporary) {
  const std::string path = dir_ + "/sessions.mfs";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string(1 << 20, 'n')).ok());
  EXPECT_EQ(Read(path), std::string(1 << 20, 'n'));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(AtomicFileTest, KeepsTheModeItIsGiven) {
  const std::string path = dir_ + "/exports.json";
  ASSERT_TRUE(WriteFileAtomically(path, "{}", 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AtomicFileTest, AFailureLeavesTheOldFileWhole) {
  const std::string path = dir_ + "/image";
  ASSERT_TRUE(WriteFileAtomically(path, "kept").ok());
  // The temporary cannot be made (a folder stands in its place): nothing changes.
  std::filesystem::create_directory(path + ".tmp");
  EXPECT_FALSE(WriteFileAtomically(path, "lost").ok());
  EXPECT_EQ(Read(path), "kept");
  EXPECT_FALSE(SyncDir(dir_ + "/missing").ok());
  EXPECT_EQ(DirOf("/a/b/c"), "/a/b");
  EXPECT_EQ(DirOf("/c"), "/");
  EXPECT_EQ(DirOf("c"), ".");
}

}  // namespace
}  // namespace elk
