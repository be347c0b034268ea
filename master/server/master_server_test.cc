// mfsmaster in-process: sessions and exports over the wire, namespace requests, a write
// through a fake chunkserver, the durability order, a restart on the same DATA_PATH.
#include "master/server/master_server.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "master/server/test_master.h"

namespace elk::master {
namespace {

namespace proto = protocol;
using test::CreateReq;
using test::GrantNewChunk;
using test::MasterServerTest;
using test::TestClient;

TEST_F(MasterServerTest, NamespaceOperationsOverTheWire) {
  StartServer();
  TestClient c = Client();
  auto reg = c.Register("/");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_NE(reg->session_id, 0u);
  EXPECT_EQ(reg->root_inode, 1u);
  EXPECT_FALSE(reg->readonly);

  auto a = c.Call<proto::MatoclCreate>(CreateReq(1, "a"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->attr.type, proto::NodeType::kFile);
  EXPECT_EQ(c.Call<proto::MatoclCreate>(CreateReq(1, "a")).code(), Code::kExist);

  auto look = c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "a", {}});
  ASSERT_TRUE(look.ok());
  EXPECT_EQ(look->attr.inode, a->attr.inode);
  auto attr = c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, a->attr.inode, {}});
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.mode & 0777, 0644);

  auto d = c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "d", 0755, 022, {}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto list = c.Call<proto::MatoclReaddir>(proto::CltomaReaddir{0, 1, {}, 0, 100});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> names;
  for (const auto& e : list->entries)
    names.push_back(e.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "a"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "d"), names.end());

  EXPECT_TRUE(c.Do(proto::CltomaRename{0, 1, "a", d->attr.inode, "b", {}}).ok());
  EXPECT_EQ(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "a", {}}).code(), Code::kNoEnt);
  EXPECT_EQ(c.Do(proto::CltomaRmdir{0, 1, "d", {}}).code(), Code::kNotEmpty);
  EXPECT_TRUE(c.Do(proto::CltomaUnlink{0, d->attr.inode, "b", {}}).ok());
  EXPECT_EQ(c.Do(proto::CltomaUnlink{0, d->attr.inode, "b", {}}).code(), Code::kNoEnt);
  EXPECT_TRUE(c.Do(proto::CltomaRmdir{0, 1, "d", {}}).ok());

  auto sl = c.Call<proto::MatoclSymlink>(proto::CltomaSymlink{0, 1, "s", "/x/y", {}});
  ASSERT_TRUE(sl.ok());
  auto target = c.Call<proto::MatoclReadlink>(proto::CltomaReadlink{0, sl->attr.inode});
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->target, "/x/y");
  auto goal =
      c.Call<proto::MatoclSetgoal>(proto::CltomaSetgoal{0, 1, 3, proto::SetMode::kSet, true, {}});
  ASSERT_TRUE(goal.ok()) << goal.status().ToString();
  auto st = c.Call<proto::MatoclStatfs>(proto::CltomaStatfs{});
  ASSERT_TRUE(st.ok());
  EXPECT_GE(st->inodes, 2u);
}

TEST_F(MasterServerTest, RequestsBeforeRegistrationAreRefused) {
  StartServer();
  TestClient c = Client();
  EXPECT_EQ(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "a", {}}).code(),
            Code::kBadSession);
}

TEST_F(MasterServerTest, PasswordChallenge) {
  StartServer("127.0.0.1 / rw,password=secret\n");
  TestClient c = Client();
  EXPECT_EQ(c.Register("/").code(), Code::kNoPassword);
  EXPECT_EQ(c.Register("/", "wrong").code(), Code::kBadPassword);
  auto ok = c.Register("/", "secret");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_NE(ok->session_id, 0u);
}

TEST_F(MasterServerTest, AddressNotExported) {
  StartServer("10.0.0.0/8 / rw\n");
  TestClient c = Client();
  EXPECT_EQ(c.Register("/").code(), Code::kAccess);
}

TEST_F(MasterServerTest, ReadOnlyExportRefusesWrites) {
  StartServer("127.0.0.1 / ro\n");
  TestClient c = Client();
  auto reg = c.Register("/");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_TRUE(reg->readonly);
  auto r = c.Call<proto::MatoclCreate>(CreateReq(1, "x"));
  EXPECT_EQ(r.code(), Code::kReadOnly);
  EXPECT_EQ(to_errno(r.code()), EROFS);
  EXPECT_TRUE(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, 1, {}}).ok());
}

TEST_F(MasterServerTest, GoalOutsideExportLimits) {
  StartServer("127.0.0.1 / rw,maproot=0,mingoal=2,maxgoal=3\n");
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  EXPECT_EQ(
      c.Call<proto::MatoclSetgoal>(proto::CltomaSetgoal{0, 1, 5, proto::SetMode::kSet, false, {}})
          .code(),
      Code::kPerm);
  EXPECT_TRUE(
      c.Call<proto::MatoclSetgoal>(proto::CltomaSetgoal{0, 1, 2, proto::SetMode::kSet, false, {}})
          .ok());
}

TEST_F(MasterServerTest, ReplyOnlyAfterTheRecordIsInTheChangelog) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  for (int i = 0; i < 5; i++) {
    std::string name = fmt::format("durable_name_{}", i);
    ASSERT_TRUE(c.Call<proto::MatoclCreate>(CreateReq(1, name)).ok());
    EXPECT_NE(Changelog().find(name), std::string::npos) << "reply before the record of " << name;
  }
}

// CLTOMA_SETATTR's flags: "now" is judged as UTIME_NOW (a writer may), an explicit time as
// the owner's alone; a descriptor opened for writing allows a length whatever the mode.
TEST_F(MasterServerTest, SetattrFlagsCarryNowAndTheDescriptor) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto f = c.Call<proto::MatoclCreate>(CreateReq(1, "shared"));
  ASSERT_TRUE(f.ok());
  const uint32_t inode = f->attr.inode;
  proto::CltomaSetattr give{0, inode, {}, 0666, 1000, 1000};
  ASSERT_TRUE(c.Call<proto::MatoclSetattr>(give).ok());
  const proto::Creds writer{1001, 1001, {}};
  proto::CltomaSetattr now{0, inode, writer};
  now.flags = proto::kSetattrAtimeNow | proto::kSetattrMtimeNow;
  EXPECT_TRUE(c.Call<proto::MatoclSetattr>(now).ok());
  proto::CltomaSetattr explicit_time{0, inode, writer};
  explicit_time.mtime = 5;
  EXPECT_EQ(c.Call<proto::MatoclSetattr>(explicit_time).code(), Code::kPerm);

  proto::CltomaSetattr lock{0, inode, {}, 0};
  ASSERT_TRUE(c.Call<proto::MatoclSetattr>(lock).ok());  // mode 0, owned by 1000
  EXPECT_EQ(c.Call<proto::MatoclSetattr>(now).code(), Code::kAccess);
  proto::CltomaSetattr cut{0, inode, {1000, 1000, {}}};
  cut.length = 10;
  EXPECT_EQ(c.Call<proto::MatoclSetattr>(cut).code(), Code::kAccess);
  // The descriptor must be real: claimed by a session that holds no write open, it counts
  // for nothing.
  cut.flags = proto::kSetattrOpenForWrite;
  EXPECT_EQ(c.Call<proto::MatoclSetattr>(cut).code(), Code::kAccess);
  ASSERT_TRUE(test::OpenAs(c, inode, proto::kOpenWrite).ok());
  auto cut_reply = c.Call<proto::MatoclSetattr>(cut);
  ASSERT_TRUE(cut_reply.ok()) << cut_reply.status().ToString();
  EXPECT_EQ(cut_reply->attr.length, 10u);
}

TEST_F(MasterServerTest, WriteChunkGetsAChainFromAChunkserver) {
  StartServer();
  test::FakeChunkserver cs;
  auto id = cs.Register(server_->chunkserver_port(), 9422, {});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto f = c.Call<proto::MatoclCreate>(CreateReq(1, "data", /*open=*/true));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(c.Call<proto::MatoclSetattr>(
                   proto::CltomaSetattr{0, f->attr.inode, {}, {}, {}, {}, {}, {}, {}})
                  .ok());
  // Goal 1 so the single server is enough.
  ASSERT_TRUE(c.Call<proto::MatoclSetgoal>(
                   proto::CltomaSetgoal{0, f->attr.inode, 1, proto::SetMode::kSet, false, {}})
                  .ok());
  proto::CltomaWriteChunk w{c.next_msgid(), f->attr.inode, 0};
  ASSERT_TRUE(c.Send(w).ok());
  auto chunk = cs.AnswerCreate();
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  auto reply = c.Receive<proto::MatoclWriteChunk>();
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->msgid, w.msgid);
  EXPECT_EQ(reply->location.chunkid, *chunk);
  ASSERT_EQ(reply->location.copies.size(), 1u);
  EXPECT_EQ(reply->location.copies[0].port, 9422);
  EXPECT_TRUE(c.Do(proto::CltomaWriteChunkEnd{0, *chunk, f->attr.inode, 1000}).ok());
  auto attr = c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, f->attr.inode, {}});
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.length, 1000u);
  auto read = c.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, f->attr.inode, 0});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->location.chunkid, *chunk);
  EXPECT_EQ(read->location.copies.size(), 1u);
  auto info = c.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, f->attr.inode, 0});
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->copies.size(), 1u);
  EXPECT_TRUE(info->copies[0].valid);
}

// A shrink into a chunk: the chunkserver cuts it (new version) before the length is set and
// the client answered; a failed cut leaves the length as it was.
TEST_F(MasterServerTest, AShrinkIntoAChunkCutsItOnTheChunkserverFirst) {
  StartServer();
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(server_->chunkserver_port(), 9422, {}).ok());
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto f = c.Call<proto::MatoclCreate>(CreateReq(1, "data"));
  ASSERT_TRUE(f.ok());
  const uint32_t inode = f->attr.inode;
  auto chunk = GrantNewChunk(c, cs, inode);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  ASSERT_TRUE(c.Do(proto::CltomaWriteChunkEnd{0, *chunk, inode, 100000}).ok());

  proto::CltomaSetattr shrink{};
  shrink.msgid = c.next_msgid();
  shrink.inode = inode;
  shrink.length = 70000;
  ASSERT_TRUE(c.Send(shrink).ok());
  auto cut = cs.Receive<proto::MatocsTruncateChunk>();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->chunkid, *chunk);
  EXPECT_EQ(cut->length, 70000u);
  EXPECT_EQ(cut->version, cut->old_version + 1);
  EXPECT_EQ(c.ReceiveFrame(std::chrono::milliseconds(300)).code(), Code::kTimeout)
      << "answered before the cut";
  ASSERT_TRUE(cs.Send(proto::CstomaTruncateChunk{*chunk, Code::kOk}).ok());
  auto done = c.Receive<proto::MatoclSetattr>();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->msgid, shrink.msgid);
  EXPECT_EQ(done->attr.length, 70000u);

  // The next cut fails on the only copy: the client hears it and the length stays.
  shrink.msgid = c.next_msgid();
  shrink.length = 5;
  ASSERT_TRUE(c.Send(shrink).ok());
  auto again = cs.Receive<proto::MatocsTruncateChunk>();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(cs.Send(proto::CstomaTruncateChunk{*chunk, Code::kIo}).ok());
  auto failed = c.Receive<proto::MatoclStatus>();
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_EQ(failed->status, Code::kChunkLost);
  auto attr = c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, {}});
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.length, 70000u);

  // A shrink to a chunk boundary drops whole chunks: no command, answered at once.
  proto::CltomaSetattr to_zero{};
  to_zero.inode = inode;
  to_zero.length = 0;
  auto zero = c.Call<proto::MatoclSetattr>(to_zero);
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(zero->attr.length, 0u);
}

// A write grant grows only its own file, and only to an end inside its chunk.
TEST_F(MasterServerTest, AWriteEndGrowsOnlyTheFileItsGrantIsFor) {
  StartServer();
  test::FakeChunkserver cs;
  ASSERT_TRUE(cs.Register(server_->chunkserver_port(), 9422, {}).ok());
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto mine = c.Call<proto::MatoclCreate>(CreateReq(1, "mine"));
  auto other = c.Call<proto::MatoclCreate>(CreateReq(1, "other"));
  ASSERT_TRUE(mine.ok() && other.ok());
  const uint32_t inode = mine->attr.inode;
  auto chunk = GrantNewChunk(c, cs, inode);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  // Another file named with this grant, and a length past the chunk: neither grows.
  (void)c.Do(proto::CltomaWriteChunkEnd{0, *chunk, other->attr.inode, 4096});
  auto length = [&](uint32_t of) {
    auto a = c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, of, {}});
    return a.ok() ? a->attr.length : ~uint64_t{0};
  };
  EXPECT_EQ(length(other->attr.inode), 0u);
  ASSERT_TRUE(c.Send(proto::CltomaWriteChunk{c.next_msgid(), inode, 0}).ok());
  auto bump = cs.Receive<proto::MatocsSetVersion>();
  ASSERT_TRUE(bump.ok()) << bump.status().ToString();
  ASSERT_TRUE(cs.Send(proto::CstomaSetVersion{bump->chunkid, Code::kOk}).ok());
  ASSERT_TRUE(c.Receive<proto::MatoclWriteChunk>().ok());
  (void)c.Do(proto::CltomaWriteChunkEnd{0, *chunk, inode, uint64_t{5} << 26});
  EXPECT_EQ(length(inode), 0u);
}

TEST_F(MasterServerTest, WriteChunkWithoutChunkserversFails) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto f = c.Call<proto::MatoclCreate>(CreateReq(1, "data", /*open=*/true));
  ASSERT_TRUE(f.ok());
  auto w = c.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, f->attr.inode, 0});
  EXPECT_EQ(w.code(), Code::kNotStarted);  // none connected yet: clients wait for them
}

TEST_F(MasterServerTest, RestartKeepsNamespaceAndSessions) {
  StartServer();
  uint32_t session = 0;
  {
    TestClient c = Client();
    auto reg = c.Register("/");
    ASSERT_TRUE(reg.ok());
    session = reg->session_id;
    ASSERT_TRUE(c.Call<proto::MatoclCreate>(CreateReq(1, "kept")).ok());
  }
  StopServer();
  StartServer();
  TestClient c = Client();
  auto reg = c.Register("/", "", session);
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->session_id, session);
  EXPECT_TRUE(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "kept", {}}).ok());
}

TEST_F(MasterServerTest, MetaSessionListsUndeletesAndPurgesTrash) {
  StartServer("127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n");
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto a = c.Call<proto::MatoclCreate>(CreateReq(1, "a"));
  auto b = c.Call<proto::MatoclCreate>(CreateReq(1, "b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, 1, "a", {}}).ok());  // default trash time > 0
  ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, 1, "b", {}}).ok());
  EXPECT_EQ(c.Call<proto::MatoclListDetached>(proto::CltomaListDetached{}).code(), Code::kPerm);

  TestClient meta = Client();
  ASSERT_TRUE(meta.Register(".").ok());
  // It sees trash and reserved only.
  EXPECT_EQ(meta.Call<proto::MatoclCreate>(CreateReq(1, "x")).code(), Code::kPerm);
  EXPECT_EQ(meta.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, 1, {}}).code(), Code::kPerm);
  EXPECT_TRUE(meta.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, a->attr.inode, {}}).ok());
  auto trash = meta.Call<proto::MatoclListDetached>(proto::CltomaListDetached{});
  ASSERT_TRUE(trash.ok()) << trash.status().ToString();
  ASSERT_EQ(trash->items.size(), 2u);
  EXPECT_TRUE(meta.Do(proto::CltomaUndelete{0, a->attr.inode}).ok());
  EXPECT_TRUE(meta.Do(proto::CltomaPurge{0, b->attr.inode}).ok());
  trash = meta.Call<proto::MatoclListDetached>(proto::CltomaListDetached{});
  ASSERT_TRUE(trash.ok());
  EXPECT_TRUE(trash->items.empty());
  EXPECT_TRUE(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "a", {}}).ok());
  EXPECT_EQ(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "b", {}}).code(), Code::kNoEnt);
}

TEST_F(MasterServerTest, SubfolderSessionReachesOnlyItsFolder) {
  StartServer();
  TestClient admin = Client();
  ASSERT_TRUE(admin.Register("/").ok());
  auto mk = [&](uint32_t parent, const std::string& name) {
    auto d = admin.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, parent, name, 0777, 0, {}});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->attr.inode : 0;
  };
  const uint32_t tenant = mk(1, "tenant");
  const uint32_t other = mk(1, "other");
  auto secret = admin.Call<proto::MatoclCreate>(CreateReq(other, "secret"));
  ASSERT_TRUE(secret.ok());
  const uint32_t s = secret->attr.inode;

  TestClient c = Client();
  auto reg = c.Register("/tenant");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  ASSERT_EQ(reg->root_inode, tenant);
  auto mine = c.Call<proto::MatoclCreate>(CreateReq(tenant, "mine"));
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();

  // Inode numbers from outside, however guessed, answer "no such node".
  EXPECT_EQ(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, s, {}}).code(), Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, 1, {}}).code(), Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, other, "secret", {}}).code(),
            Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, s, 0}).code(), Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclCreate>(CreateReq(other, "planted")).code(), Code::kNoEnt);
  EXPECT_EQ(c.Do(proto::CltomaRename{0, tenant, "mine", other, "moved", {}}).code(), Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclLink>(proto::CltomaLink{0, s, tenant, "stolen", {}}).code(),
            Code::kNoEnt);
  // Its own root is its "/": ".." stays there.
  auto up = c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, tenant, "..", {}});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->attr.inode, tenant);
  auto list = c.Call<proto::MatoclReaddir>(proto::CltomaReaddir{0, tenant, {}, 0, 100});
  ASSERT_TRUE(list.ok());
  for (const auto& e : list->entries) {
    if (e.name == "..") {
      EXPECT_EQ(e.attr.inode, tenant);
    }
  }
  EXPECT_TRUE(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, mine->attr.inode, {}}).ok());

  // A file the admin links in from outside becomes reachable; moved out, it is gone again.
  ASSERT_TRUE(admin.Call<proto::MatoclLink>(proto::CltomaLink{0, s, tenant, "shared", {}}).ok());
  EXPECT_TRUE(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, s, {}}).ok());
  ASSERT_TRUE(admin.Do(proto::CltomaUnlink{0, tenant, "shared", {}}).ok());
  EXPECT_EQ(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, s, {}}).code(), Code::kNoEnt);
}

TEST_F(MasterServerTest, ImageSavedInTheBackgroundWhileServing) {
  StartServer();
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(c.Call<proto::MatoclCreate>(CreateReq(1, fmt::format("f{}", i))).ok());
  }
  std::promise<std::pair<bool, uint64_t>> started;
  server_->loop().Post([&] {
    started.set_value({server_->SaveImage(), server_->metadata().version()});
  });
  auto [ok, version] = started.get_future().get();
  ASSERT_TRUE(ok);
  // Served while the image is written.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(c.Call<proto::MatoclCreate>(CreateReq(1, fmt::format("g{}", i))).ok());
  }
  uint64_t saved = 0;
  for (int i = 0; i < 200 && saved < version; ++i) {  // at most 10 s
    if (auto img = image::Load(image::ImagePath(dir_.string())); img.ok()) saved = img->version;
    if (saved < version) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(saved, version);
  // The records after the image went to a new changelog; a restart loses nothing.
  StopServer();
  StartServer();
  TestClient again = Client();
  ASSERT_TRUE(again.Register("/").ok());
  EXPECT_TRUE(again.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "f1999", {}}).ok());
  EXPECT_TRUE(again.Call<proto::MatoclLookup>(proto::CltomaLookup{0, 1, "g199", {}}).ok());
}

TEST_F(MasterServerTest, AnOpenFileUnlinkedWaitsInReservedUntilReleased) {
  StartServer("127.0.0.1 / rw,alldirs,maproot=0\n127.0.0.1 . rw\n");
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  TestClient meta = Client();
  ASSERT_TRUE(meta.Register(".").ok());
  proto::CltomaCreate create = CreateReq(1, "tmp");
  create.open = 1;  // as the mount creates: opened too
  auto f = c.Call<proto::MatoclCreate>(create);
  ASSERT_TRUE(f.ok());
  const uint32_t inode = f->attr.inode;
  ASSERT_TRUE(c.Call<proto::MatoclSettrashtime>(
                   proto::CltomaSettrashtime{0, inode, 0, proto::SetMode::kSet, false, {}})
                  .ok());
  ASSERT_TRUE(c.Call<proto::MatoclOpen>(proto::CltomaOpen{0, inode, proto::kOpenRead, {}}).ok());
  ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, 1, "tmp", {}}).ok());
  auto reserved = [&]() -> size_t {
    auto list = meta.Call<proto::MatoclListDetached>(
        proto::CltomaListDetached{0, proto::DetachedKind::kReserved});
    return list.ok() ? list->items.size() : 999;
  };
  EXPECT_EQ(reserved(), 1u);
  EXPECT_TRUE(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, {}}).ok());
  EXPECT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(reserved(), 1u);  // the open of the create is still there
  EXPECT_TRUE(c.Do(proto::CltomaRelease{0, inode}).ok());
  EXPECT_EQ(reserved(), 0u);
  EXPECT_EQ(c.Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, {}}).code(), Code::kNoEnt);
}

TEST_F(MasterServerTest, ReloadedExportsApplyToNewMounts) {
  std::string path = (dir_ / "mfsexports.cfg").string();
  std::ofstream(path) << "127.0.0.1 / rw\n";
  StartServer("", path);
  TestClient a = Client();
  auto ra = a.Register("/");
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  EXPECT_FALSE(ra->readonly);
  std::ofstream(path, std::ios::trunc) << "127.0.0.1 / ro\n";
  server_->ReloadExports();
  TestClient b = Client();
  auto rb = b.Register("/");
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_TRUE(rb->readonly);
  // A refused file keeps the rules in force.
  std::ofstream(path, std::ios::trunc) << "127.0.0.1 / bogus-option\n";
  server_->ReloadExports();
  TestClient d = Client();
  auto rd = d.Register("/");
  ASSERT_TRUE(rd.ok()) << rd.status().ToString();
  EXPECT_TRUE(rd->readonly);
}

}  // namespace
}  // namespace elk::master
