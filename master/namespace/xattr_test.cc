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

}  // namespace
}  // namespace elk::master
