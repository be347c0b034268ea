// The meta mount's names and item contents against MooseFS's forms.
#include "mount/fuse/meta_names.h"

#include <gtest/gtest.h>

namespace elk::mount::meta_names {
namespace {

TEST(MetaNamesTest, ItemNamesAreMooseFsNames) {
  EXPECT_EQ(ItemName(0x2A, "/d/sub/file.txt"), "0000002A|d|sub|file.txt");
  EXPECT_EQ(ItemName(0x12345678, "f"), "12345678|f");
  EXPECT_EQ(ItemName(0xFFFFFFFF, "/a"), "FFFFFFFF|a");
}

// MooseFS's master sends a path over 240 bytes as "(...)" and its last 235 bytes, so a
// name is at most 9 + 240 = 249 bytes, within NAME_MAX.
TEST(MetaNamesTest, LongPathsAreShortenedAsMooseFsDoes) {
  const std::string at_limit = "/" + std::string(120, 'a') + "/" + std::string(119, 'b');
  ASSERT_EQ(at_limit.size() - 1, 240u);
  EXPECT_EQ(ItemName(7, at_limit),
            "00000007|" + std::string(120, 'a') + "|" + std::string(119, 'b'));

  std::string dir(200, 'd'), file(100, 'f');
  const std::string name = ItemName(7, "/" + dir + "/" + file);
  EXPECT_EQ(name.size(), 9u + 240u);
  EXPECT_EQ(name, "00000007|(...)" + std::string(134, 'd') + "|" + file);
  EXPECT_EQ(InodeOfName(name), 7u);  // still finds its item

  const std::string huge = ItemName(9, "/" + std::string(5000, 'x'));
  EXPECT_EQ(huge.size(), 249u);
}

TEST(MetaNamesTest, OnlyTheInodeOfANameCounts) {
  EXPECT_EQ(InodeOfName("0000002A|d|f"), 0x2Au);
  EXPECT_EQ(InodeOfName("2a|anything"), 0x2Au);  // as strtoul reads it
  EXPECT_EQ(InodeOfName("FFFFFFFF|x"), 0xFFFFFFFFu);
  for (const char* bad :
       {"", "|x", "0000002A|", "0000002A", "undel", "10000000F|x", "12G4|x", "-1|x", " 1|x"}) {
    EXPECT_EQ(InodeOfName(bad), 0u) << bad;
  }
}

TEST(MetaNamesTest, ContentIsThePathAndANewline) {
  EXPECT_EQ(PathText("/d/f"), "d/f\n");
  EXPECT_EQ(PathFromText("x/y\n"), "x/y");
  EXPECT_EQ(PathFromText("x/y"), "x/y");        // echo -n
  EXPECT_EQ(PathFromText("x/y\n\n"), "x/y\n");  // one newline only, as MooseFS
}

TEST(MetaNamesTest, FirstWriteReplacesTheContent) {
  PathBuffer b(PathText("/long/old/path"));
  EXPECT_EQ(b.Read(0, 100), "long/old/path\n");
  EXPECT_EQ(b.Read(5, 3), "old");
  EXPECT_EQ(b.Read(100, 3), "");
  EXPECT_FALSE(b.changed());
  ASSERT_TRUE(b.Write(0, "new\n").ok());  // `echo new > item`, the truncate not seen
  EXPECT_TRUE(b.changed());
  EXPECT_EQ(b.Read(0, 100), "new\n");
  ASSERT_TRUE(b.Write(3, "er\n").ok());  // later writes land where they say
  EXPECT_EQ(b.TakeWritten(), "newer\n");
  EXPECT_FALSE(b.changed());
}

TEST(MetaNamesTest, WritesPastTheLimitAreRefused) {
  PathBuffer b("p\n");
  EXPECT_EQ(b.Write(kMaxWritten, "x").code(), Code::kInval);
  EXPECT_EQ(b.Write(0, std::string(kMaxWritten + 1, 'x')).code(), Code::kInval);
  EXPECT_FALSE(b.changed());
  EXPECT_TRUE(b.Write(0, std::string(kMaxWritten, 'x')).ok());
}

}  // namespace
}  // namespace elk::mount::meta_names
