#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

TEST_F(NsTest, XattrSetGetListRemove) {
  InodeId f = File(kRootInode, "f");
  EXPECT_EQ(ns.GetXattr(root, f, "user.a").code(), Code::kNoAttr);
  ASSERT_TRUE(ns.SetXattr(root, f, "user.b", "2", XattrFlags::kAny, now).ok());
  ASSERT_TRUE(ns.SetXattr(root, f, "user.a", std::string("1\0x", 3), XattrFlags::kAny, now).ok());
  EXPECT_EQ(*ns.GetXattr(root, f, "user.a"), std::string("1\0x", 3));
  EXPECT_EQ(*ns.ListXattr(root, f), (std::vector<std::string>{"user.a", "user.b"}));
  ASSERT_TRUE(ns.RemoveXattr(root, f, "user.a", now).ok());
  EXPECT_EQ(ns.RemoveXattr(root, f, "user.a", now).code(), Code::kNoAttr);
  EXPECT_EQ(*ns.ListXattr(root, f), (std::vector<std::string>{"user.b"}));
  ASSERT_TRUE(ns.RemoveXattr(root, f, "user.b", now).ok());
  EXPECT_TRUE(ns.ListXattr(root, f)->empty());
}

TEST_F(NsTest, XattrCreateAndReplaceFlags) {
  InodeId f = File(kRootInode, "f");
  EXPECT_EQ(ns.SetXattr(root, f, "user.x", "v", XattrFlags::kReplace, now).code(), Code::kNoAttr);
  ASSERT_TRUE(ns.SetXattr(root, f, "user.x", "v", XattrFlags::kCreate, now).ok());
  EXPECT_EQ(ns.SetXattr(root, f, "user.x", "w", XattrFlags::kCreate, now).code(), Code::kExist);
  ASSERT_TRUE(ns.SetXattr(root, f, "user.x", "w", XattrFlags::kReplace, now).ok());
  EXPECT_EQ(*ns.GetXattr(root, f, "user.x"), "w");
}

TEST_F(NsTest, XattrLimitsAndPermissions) {
  InodeId f = File(kRootInode, "f", 0644);
  EXPECT_EQ(ns.SetXattr(root, f, std::string(256, 'n'), "v", XattrFlags::kAny, now).code(),
            Code::kRange);
  EXPECT_EQ(ns.SetXattr(root, f, "", "v", XattrFlags::kAny, now).code(), Code::kInval);
  EXPECT_EQ(ns.SetXattr(root, f, "user.big", std::string(65537, 'v'), XattrFlags::kAny, now).code(),
            Code::kRange);
  EXPECT_TRUE(
      ns.SetXattr(root, f, "user.big", std::string(65536, 'v'), XattrFlags::kAny, now).ok());
  EXPECT_EQ(ns.SetXattr(alice, f, "user.y", "v", XattrFlags::kAny, now).code(), Code::kAccess);
  EXPECT_TRUE(ns.GetXattr(alice, f, "user.big").ok());
  Chmod(f, 0600);
  EXPECT_EQ(ns.GetXattr(alice, f, "user.big").code(), Code::kAccess);
  EXPECT_EQ(ns.GetXattr(root, 999, "user.big").code(), Code::kNoEnt);
}

// A node's attributes stay within one reply and one image record: the names' list within
// XATTR_LIST_MAX, the values within 1 MiB; past that ENOSPC, and a replacement fits.
TEST_F(NsTest, XattrCountAndSizeAreBoundedPerNode) {
  InodeId f = File(kRootInode, "many", 0644);
  int set = 0;
  Status s;
  for (int i = 0;
       i < 100000 &&
       (s = ns.SetXattr(root, f, Nm("user.attribute.number.", i), "v", XattrFlags::kAny, now)).ok();
       ++i)
    ++set;
  EXPECT_EQ(s.code(), Code::kNoSpace);
  EXPECT_GT(set, 2000);
  size_t names = 0;
  auto list = ns.ListXattr(root, f);
  ASSERT_TRUE(list.ok());
  for (const auto& n : *list)
    names += n.size() + 1;
  EXPECT_LE(names, kMaxXattrNamesBytes);
  EXPECT_TRUE(ns.SetXattr(root, f, "user.attribute.number.0", "w", XattrFlags::kAny, now).ok());

  InodeId g = File(kRootInode, "large", 0644);
  const std::string value(kMaxXattrValueLength, 'v');
  int big = 0;
  while (big < 100 && ns.SetXattr(root, g, Nm("user.v", big), value, XattrFlags::kAny, now).ok())
    ++big;
  EXPECT_EQ(big, static_cast<int>(kMaxXattrValuesBytes / kMaxXattrValueLength));
}

}  // namespace
}  // namespace elk::master
