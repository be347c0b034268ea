// CLTOMA_PATHS (mfsfilepaths) against an in-process master: every link of a file from the
// session's folder, a folder's own path, trash, and links outside a subfolder session.
#include "master/server/test_master.h"

namespace elk::master::test {
namespace {

namespace proto = protocol;

struct Tree {
  InodeId t = 0, sub = 0, file = 0, gone = 0;
};

InodeId Must(const Result<Attr>& a) {
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? a->inode : 0;
}

Tree Build(Metadata& m) {
  Tree b;
  b.t = Must(m.Mkdir(Cred{}, kRootInode, "t", 0755, 0, 10));
  b.sub = Must(m.Mkdir(Cred{}, b.t, "sub", 0755, 0, 10));
  const InodeId u = Must(m.Mkdir(Cred{}, kRootInode, "u", 0755, 0, 10));
  b.file = Must(m.Create(Cred{}, b.sub, "f", NodeType::kFile, 0644, 0, 0, 10));
  EXPECT_TRUE(m.Link(Cred{}, b.file, b.t, "f2", 10).ok());
  EXPECT_TRUE(m.Link(Cred{}, b.file, u, "f3", 10).ok());
  b.gone = Must(m.Create(Cred{}, b.t, "gone", NodeType::kFile, 0644, 0, 0, 10));
  EXPECT_TRUE(m.Unlink(Cred{}, b.t, "gone", 10).ok());  // to trash (a day by default)
  return b;
}

std::vector<std::string> Paths(TestClient& c, InodeId inode) {
  auto r = c.Call<proto::MatoclPaths>(proto::CltomaPaths{0, inode});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->paths : std::vector<std::string>{};
}

TEST_F(MasterServerTest, PathsOfEveryLinkAsMooseFsGivesThem) {
  Tree b;
  StartServer(kRwExports, "", [&b](MasterServer& s) { b = Build(s.metadata()); });
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  EXPECT_EQ(Paths(c, b.file), (std::vector<std::string>{"t/sub/f", "t/f2", "u/f3"}));
  EXPECT_EQ(Paths(c, b.sub), std::vector<std::string>{"t/sub"});
  EXPECT_EQ(Paths(c, kRootInode), std::vector<std::string>{"/"});
  EXPECT_EQ(Paths(c, b.gone), std::vector<std::string>{"./TRASH (t/gone)"});
  EXPECT_EQ(c.Call<proto::MatoclPaths>(proto::CltomaPaths{0, 999999}).code(), Code::kNoEnt);
}

TEST_F(MasterServerTest, PathsFromASubfolderSessionStayInside) {
  Tree b;
  StartServer(kRwExports, "", [&b](MasterServer& s) { b = Build(s.metadata()); });
  TestClient c = Client();
  auto reg = c.Register("/t");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(Paths(c, b.file), (std::vector<std::string>{"sub/f", "f2"}));  // not u/f3
  EXPECT_EQ(Paths(c, b.t), std::vector<std::string>{"/"});
  EXPECT_EQ(c.Call<proto::MatoclPaths>(proto::CltomaPaths{0, kRootInode}).code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::master::test
