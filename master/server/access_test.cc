// Chunk reads and writes checked against the session (docs/security.md): a session reads
// the chunks of files it holds open for reading and writes those it holds open for writing,
// on a writable export, inside its folder; opens and their modes survive a restart.
#include <gtest/gtest.h>

#include "master/server/test_master.h"

namespace elk::master {
namespace {

namespace proto = protocol;
using test::CreateReq;
using test::MasterServerTest;
using test::OpenAs;
using test::TestClient;

constexpr uint8_t kRead = proto::kOpenRead;
constexpr uint8_t kWrite = proto::kOpenWrite;

Code ReadCode(TestClient& c, uint32_t inode) {
  return c.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, inode, 0}).code();
}

// Without a chunkserver a write that passed the session's checks answers kNotStarted (no chunkserver connected)
// (nowhere to create the chunk): what the checks alone decided shows without one.
Code WriteCode(TestClient& c, uint32_t inode) {
  return c.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, inode, 0}).code();
}

uint32_t NewFile(TestClient& c, uint32_t parent, const std::string& name) {
  auto f = c.Call<proto::MatoclCreate>(CreateReq(parent, name));
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? f->attr.inode : 0;
}

TEST_F(MasterServerTest, ReadChunkNeedsAnOpenForReadingUntilTheLastRelease) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  const uint32_t inode = NewFile(c, 1, "f");
  EXPECT_EQ(ReadCode(c, inode), Code::kNotOpened);
  EXPECT_EQ(to_errno(Code::kNotOpened), EBADF);
  ASSERT_TRUE(OpenAs(c, inode, kRead).ok());
  EXPECT_EQ(ReadCode(c, inode), Code::kOk);
  // Another session's open is not this one's.
  TestClient other = Client();
  ASSERT_TRUE(other.Register("/").ok());
  EXPECT_EQ(ReadCode(other, inode), Code::kNotOpened);
  ASSERT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(ReadCode(c, inode), Code::kNotOpened);
  // Opened for writing only, a file's chunks are not the session's to read.
  ASSERT_TRUE(OpenAs(c, inode, kWrite).ok());
  EXPECT_EQ(ReadCode(c, inode), Code::kNotOpened);
}

TEST_F(MasterServerTest, WriteChunkNeedsAnOpenForWriting) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  const uint32_t inode = NewFile(c, 1, "f");
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);
  ASSERT_TRUE(OpenAs(c, inode, kRead).ok());
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);
  ASSERT_TRUE(OpenAs(c, inode, kWrite).ok());
  EXPECT_EQ(WriteCode(c, inode), Code::kNotStarted);
  // The session keeps what its opens of the file had until its last close of it: the
  // kernel holds each descriptor to its own mode, the master holds the session to the sum.
  ASSERT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(WriteCode(c, inode), Code::kNotStarted);
  ASSERT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);
  // A file made by CLTOMA_CREATE with open is open for both.
  auto made = c.Call<proto::MatoclCreate>(CreateReq(1, "made", /*open=*/true));
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(WriteCode(c, made->attr.inode), Code::kNotStarted);
  EXPECT_EQ(ReadCode(c, made->attr.inode), Code::kOk);
}

// An open is checked like the read or write it allows: the file's mode, with the
// credentials the export maps the caller's to.
TEST_F(MasterServerTest, AnOpenIsCheckedWithTheExportsCredentials) {
  StartServer("127.0.0.1 /all rw,mapall=1000:1000\n127.0.0.1 / rw,alldirs,maproot=0\n");
  TestClient admin = Client();
  ASSERT_TRUE(admin.Register("/").ok());
  auto all = admin.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "all", 0777, 0, {}});
  ASSERT_TRUE(all.ok());
  const uint32_t inode = NewFile(admin, all->attr.inode, "roots");  // 0644, root's

  TestClient c = Client();
  ASSERT_TRUE(c.Register("/all").ok());
  // It says it is root; mapall makes it 1000, who may read the file but not write it.
  EXPECT_EQ(c.Call<proto::MatoclOpen>(proto::CltomaOpen{0, inode, kRead | kWrite, {}}).code(),
            Code::kAccess);
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);
  ASSERT_TRUE(OpenAs(c, inode, kRead).ok());
  EXPECT_EQ(ReadCode(c, inode), Code::kOk);
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);
}

TEST_F(MasterServerTest, AReadOnlyExportRefusesWriteChunk) {
  StartServer("127.0.0.1 /pub ro,maproot=0\n127.0.0.1 / rw,alldirs,maproot=0\n");
  TestClient admin = Client();
  ASSERT_TRUE(admin.Register("/").ok());
  auto pub = admin.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "pub", 0755, 0, {}});
  ASSERT_TRUE(pub.ok());
  const uint32_t inode = NewFile(admin, pub->attr.inode, "f");

  TestClient c = Client();
  auto reg = c.Register("/pub");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  ASSERT_TRUE(reg->readonly);
  EXPECT_EQ(c.Call<proto::MatoclOpen>(proto::CltomaOpen{0, inode, kRead | kWrite, {}}).code(),
            Code::kReadOnly);
  EXPECT_EQ(WriteCode(c, inode), Code::kReadOnly);
  ASSERT_TRUE(OpenAs(c, inode, kRead).ok());
  EXPECT_EQ(ReadCode(c, inode), Code::kOk);
  EXPECT_EQ(WriteCode(c, inode), Code::kReadOnly);
}

TEST_F(MasterServerTest, ASubfolderSessionTouchesNoChunkOutsideItsFolder) {
  StartServer();
  TestClient admin = Client();
  ASSERT_TRUE(admin.Register("/").ok());
  auto tenant = admin.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "tenant", 0777, 0, {}});
  ASSERT_TRUE(tenant.ok());
  const uint32_t outside = NewFile(admin, 1, "secret");
  ASSERT_TRUE(OpenAs(admin, outside, kRead | kWrite).ok());

  TestClient c = Client();
  ASSERT_TRUE(c.Register("/tenant").ok());
  EXPECT_EQ(c.Call<proto::MatoclOpen>(proto::CltomaOpen{0, outside, kRead, {}}).code(),
            Code::kNoEnt);
  EXPECT_EQ(ReadCode(c, outside), Code::kNoEnt);
  EXPECT_EQ(WriteCode(c, outside), Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, outside, 0}).code(),
            Code::kNoEnt);
  const uint32_t inside = NewFile(c, tenant->attr.inode, "mine");
  EXPECT_EQ(c.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, inside, 0}).code(), Code::kOk);
  EXPECT_EQ(c.Call<proto::MatoclChunkList>(proto::CltomaChunkList{0, outside, 0}).code(),
            Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclChunkList>(proto::CltomaChunkList{0, inside, 0}).code(), Code::kOk);
  ASSERT_TRUE(OpenAs(c, inside, kRead).ok());
  EXPECT_EQ(ReadCode(c, inside), Code::kOk);
}

// The mount's watch thread resumes its session after a master restart; the opens and their
// modes come back with the metadata, so its reads and writes go on.
TEST_F(MasterServerTest, OpensAndTheirModesSurviveARestart) {
  StartServer();
  uint32_t session = 0, rw = 0, ro = 0;
  {
    TestClient c = Client();
    auto reg = c.Register("/");
    ASSERT_TRUE(reg.ok());
    session = reg->session_id;
    rw = NewFile(c, 1, "rw");
    ro = NewFile(c, 1, "ro");
    ASSERT_TRUE(OpenAs(c, rw, kRead | kWrite).ok());
    ASSERT_TRUE(OpenAs(c, ro, kRead).ok());
  }
  StopServer();  // a clean stop: the opens are in the image (replay: master/meta tests)
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/", "", session).ok());
  EXPECT_EQ(ReadCode(c, rw), Code::kOk);
  EXPECT_EQ(WriteCode(c, rw), Code::kNotStarted);
  EXPECT_EQ(ReadCode(c, ro), Code::kOk);
  EXPECT_EQ(WriteCode(c, ro), Code::kNotOpened);
}

// A write's end is not refused for want of an open: the grant is the permission, and a
// close that overtakes the end (another thread of the client) must not lose the write.
TEST_F(MasterServerTest, AWriteEndAfterTheReleaseStillCounts) {
  StartServer();
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(server_->chunkserver_port(), 9422, {}).ok());
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  const uint32_t inode = NewFile(c, 1, "f");
  auto chunk = test::GrantNewChunk(c, cs, inode);  // opens it for writing
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  ASSERT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  ASSERT_TRUE(c.Do(proto::CltomaWriteChunkEnd{0, *chunk, inode, 4096}).ok());
  auto attr = c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, {}});
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.length, 4096u);
  EXPECT_EQ(WriteCode(c, inode), Code::kNotOpened);  // but no new grant
}

// A meta session opens nothing: it reads the chunks of trash and reserved files only.
TEST_F(MasterServerTest, AMetaSessionReadsDetachedFilesOnly) {
  StartServer("127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n");
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  const uint32_t live = NewFile(c, 1, "live");
  const uint32_t gone = NewFile(c, 1, "gone");
  ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, 1, "gone", {}}).ok());  // to trash
  TestClient meta = Client();
  ASSERT_TRUE(meta.Register(".").ok());
  EXPECT_EQ(ReadCode(meta, gone), Code::kOk);
  EXPECT_EQ(ReadCode(meta, live), Code::kPerm);
  EXPECT_EQ(WriteCode(meta, gone), Code::kPerm);
  EXPECT_EQ(meta.Call<proto::MatoclOpen>(proto::CltomaOpen{0, live, kRead, {}}).code(),
            Code::kPerm);
}

}  // namespace
}  // namespace elk::master
