#include "mount/tools/mount_locator.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "mount/tools/fake_cluster.h"

namespace elk::tools {
namespace {

using testing::FakeProbe;
using testing::FakeTree;

TEST(PathNames, DirNameAndBaseName) {
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("a/b/c/"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  EXPECT_EQ(DirName("/c"), "/");
  EXPECT_EQ(DirName("/"), "/");
  EXPECT_EQ(DirName("a//b"), "a");
  EXPECT_EQ(BaseName("a/b/c"), "c");
  EXPECT_EQ(BaseName("a/b/c//"), "c");
  EXPECT_EQ(BaseName("c"), "c");
  EXPECT_EQ(BaseName("/"), "/");
}

class LocatorTest : public ::testing::Test {
 protected:
  LocatorTest() { testing::BuildToolsDemo(tree_); }
  FakeTree tree_;
  FakeProbe probe_{tree_};
};

TEST_F(LocatorTest, FindsTheMountRootAndItsMaster) {
  auto loc = LocateObject(probe_, "tools_demo/sub/data.bin");
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  EXPECT_EQ(loc->mount_root, "/mnt/elk");
  EXPECT_EQ(loc->info.port, 9421);
  EXPECT_EQ(loc->info.session_id, 7u);
  EXPECT_EQ(loc->stat.ino, *tree_.Find("tools_demo/sub/data.bin"));
}

TEST_F(LocatorTest, TheMountPointItselfAndDotDot) {
  auto root = LocateObject(probe_, "/mnt/elk");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->mount_root, "/mnt/elk");
  EXPECT_EQ(root->stat.ino, 1u);
  auto up = LocateObject(probe_, "tools_demo/sub/../other.bin");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->stat.ino, *tree_.Find("tools_demo/other.bin"));
}

TEST_F(LocatorTest, OutsideAMountIsNotAnElkFsObject) {
  tree_.AddLocalFile("/tmp/x");
  auto loc = LocateObject(probe_, "/tmp/x");
  ASSERT_FALSE(loc.ok());
  EXPECT_EQ(loc.status().message(), "not an ElkFS object");
  auto parent = LocateObject(probe_, "/mnt");
  EXPECT_EQ(parent.status().message(), "not an ElkFS object");
}

TEST_F(LocatorTest, MissingOrBadMasterInfo) {
  tree_.masterinfo = "";
  EXPECT_EQ(LocateObject(probe_, "tools_demo").status().message(), "not an ElkFS object");
  tree_.masterinfo = "master=nowhere session=1";
  auto bad = LocateObject(probe_, "tools_demo");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), Code::kCorruption);
  EXPECT_EQ(bad.status().message().rfind("not an ElkFS object (.masterinfo: ", 0), 0u)
      << bad.status().message();
}

TEST_F(LocatorTest, MissingPathSaysSo) {
  auto loc = LocateObject(probe_, "tools_demo/nope");
  ASSERT_FALSE(loc.ok());
  EXPECT_EQ(loc.code(), Code::kNoEnt);
  EXPECT_EQ(loc.status().message(), "No such file or directory");
}

TEST(PosixLocator, ARealLocalDirectoryIsNotAnElkFsObject) {
  char tmpl[] = "/tmp/elktools_test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::ofstream(dir + "/f") << "x";
  PosixPathProbe probe;
  auto loc = LocateObject(probe, dir + "/f");
  EXPECT_FALSE(loc.ok());
  EXPECT_EQ(loc.status().message(), "not an ElkFS object");
  auto missing = LocateObject(probe, dir + "/none");
  EXPECT_EQ(missing.code(), Code::kNoEnt);
  ::unlink((dir + "/f").c_str());
  ::rmdir(dir.c_str());
}

TEST(PosixProbe, ReadsCreatesAndCanonicalizes) {
  char tmpl[] = "/tmp/elktools_test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  PosixPathProbe probe;
  ASSERT_TRUE(probe.CreateFile(dir + "/made").ok());
  auto st = probe.Stat(dir + "/made", true);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->size, 0u);
  std::ofstream(dir + "/.masterinfo") << "master=h:1 session=2\n";
  auto text = probe.ReadSmallFile(dir + "/.masterinfo");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "master=h:1 session=2\n");
  auto canon = probe.Canonical(dir + "/./made");
  ASSERT_TRUE(canon.ok());
  EXPECT_EQ(BaseName(*canon), "made");
  ::unlink((dir + "/made").c_str());
  ::unlink((dir + "/.masterinfo").c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace elk::tools
