#include "mount/tools/masterinfo.h"

#include <gtest/gtest.h>

namespace elk::tools {
namespace {

TEST(MasterInfo, ParsesAllKeys) {
  auto info = ParseMasterInfo("master=127.0.0.1:9421 session=123 version=0.1.0 root_inode=5\n");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->host, "127.0.0.1");
  EXPECT_EQ(info->port, 9421);
  EXPECT_EQ(info->session_id, 123u);
  EXPECT_EQ(info->version, "0.1.0");
  EXPECT_EQ(info->root_inode, 5u);
}

TEST(MasterInfo, OptionalKeysDefaultAndUnknownKeysAreSkipped) {
  auto info = ParseMasterInfo("session=9\tmaster=mfsmaster:9421 future=thing");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->host, "mfsmaster");
  EXPECT_EQ(info->root_inode, 1u);
  EXPECT_EQ(info->version, "");
}

TEST(MasterInfo, Ipv6InBrackets) {
  auto info = ParseMasterInfo("master=[::1]:9421 session=1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->host, "::1");
  EXPECT_EQ(FormatMasterInfo(*info), "master=[::1]:9421 session=1 root_inode=1\n");
}

TEST(MasterInfo, RoundTrips) {
  MasterInfo in{"10.0.0.7", 19421, 4000000000u, "0.1.0", 1};
  auto out = ParseMasterInfo(FormatMasterInfo(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->host, in.host);
  EXPECT_EQ(out->port, in.port);
  EXPECT_EQ(out->session_id, in.session_id);
  EXPECT_EQ(out->version, in.version);
}

TEST(MasterInfo, RefusesBadText) {
  const char* bad[] = {
      "",                                      // nothing
      "session=1",                             // no master
      "master=h:9421",                         // no session
      "master=h:9421 session=x",               // session not a number
      "master=h session=1",                    // no port
      "master=h:0 session=1",                  // port 0
      "master=h:70000 session=1",              // port too big
      "master=:9421 session=1",                // no host
      "master=h:9421 session=1 session=2",     // repeated
      "master=h:9421 session=1 garbage",       // not key=value
      "master=h:9421 session=1 root_inode=0",  // no inode 0
  };
  for (const char* text : bad) {
    auto info = ParseMasterInfo(text);
    EXPECT_FALSE(info.ok()) << "accepted: " << text;
    EXPECT_EQ(info.code(), Code::kCorruption) << text;
  }
}

}  // namespace
TEST(MasterInfo, FolderRoundTripsEncoded) {
  MasterInfo info;
  info.host = "m1";
  info.port = 9421;
  info.session_id = 4;
  info.folder = "/a dir/100%";
  const std::string text = FormatMasterInfo(info);
  EXPECT_NE(text.find("folder=/a%20dir/100%25"), std::string::npos) << text;
  auto back = ParseMasterInfo(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->folder, "/a dir/100%");
  EXPECT_EQ(ParseMasterInfo("master=m:1 session=1").value().folder, "/");
  EXPECT_FALSE(ParseMasterInfo("master=m:1 session=1 folder=/x%2").ok());
  EXPECT_FALSE(ParseMasterInfo("master=m:1 session=1 folder=relative").ok());
}

}  // namespace elk::tools
