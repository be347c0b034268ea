#include "master/sessions/session_table.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

cfg::IdResolver TestIds() {
  cfg::IdResolver r;
  r.user_by_name = [](std::string_view n) -> std::optional<cfg::UserIds> {
    if (n == "nobody") return cfg::UserIds{65534, 65534};
    return std::nullopt;
  };
  r.user_by_id = [](uint32_t uid) -> std::optional<cfg::UserIds> { return cfg::UserIds{uid, uid}; };
  r.group_by_name = [](std::string_view) -> std::optional<uint32_t> { return std::nullopt; };
  return r;
}

std::vector<cfg::ExportRule> Rules(std::string_view text) {
  auto ids = TestIds();
  auto rules = cfg::ParseExportsStrict(text, "mfsexports.cfg", ids);
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  return rules.ok() ? *rules : std::vector<cfg::ExportRule>{};
}

MountRequest Req(uint32_t ip, std::string folder) {
  MountRequest r;
  r.ip = ip;
  r.folder = std::move(folder);
  r.info = "host:/mnt/elk";
  return r;
}

TEST(SessionTable, AddressNotListedIsRefused) {
  auto rules = Rules("10.0.0.0/8 / rw\n");
  SessionTable t;
  EXPECT_EQ(t.Open(rules, Req(Ip(192, 168, 1, 1), "/"), 100).code(), Code::kAccess);
  auto s = t.Open(rules, Req(Ip(10, 1, 2, 3), "/"), 100);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->folder, "/");
  EXPECT_FALSE((*s)->rule.options.readonly);
}

TEST(SessionTable, SubfoldersNeedAlldirs) {
  SessionTable t;
  EXPECT_EQ(t.Open(Rules("* / rw\n"), Req(1, "/home"), 1).code(), Code::kAccess);
  EXPECT_TRUE(t.Open(Rules("* / rw,alldirs\n"), Req(1, "/home"), 1).ok());
}

TEST(SessionTable, MetaFolderIsItsOwnExport) {
  SessionTable t;
  auto rules = Rules("* / rw\n* . rw\n");
  auto s = t.Open(rules, Req(1, "."), 1);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->meta());
  EXPECT_EQ(t.Open(Rules("* / rw\n"), Req(1, "."), 1).code(), Code::kAccess);
}

TEST(SessionTable, PasswordByChallenge) {
  auto rules = Rules("* / rw,password=s3cret\n");
  SessionTable t;
  EXPECT_TRUE(SessionTable::NeedsPassword(rules, 1, "/"));
  EXPECT_EQ(t.Open(rules, Req(1, "/"), 1).code(), Code::kNoPassword);
  Challenge c = NewChallenge();
  MountRequest bad = Req(1, "/");
  ChallengeAnswer wrong = AnswerChallenge(KeyOfPassword("guess"), c);
  bad.challenge = c;
  bad.answer = wrong;
  EXPECT_EQ(t.Open(rules, bad, 1).code(), Code::kBadPassword);
  MountRequest good = Req(1, "/");
  ChallengeAnswer right = AnswerChallenge(KeyOfPassword("s3cret"), c);
  good.challenge = c;
  good.answer = right;
  EXPECT_TRUE(t.Open(rules, good, 1).ok());
}

TEST(SessionTable, ToolsJoinAPasswordSessionFromItsOwnAddressOnly) {
  auto rules = Rules("* /sub rw,password=s3cret\n");
  SessionTable t;
  Challenge c = NewChallenge();
  MountRequest mount = Req(Ip(10, 0, 0, 1), "/sub");
  ChallengeAnswer right = AnswerChallenge(KeyOfPassword("s3cret"), c);
  mount.challenge = c;
  mount.answer = right;
  auto s = t.Open(rules, mount, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const uint32_t id = (*s)->id;
  MountRequest tool = Req(Ip(10, 0, 0, 1), "/sub");
  tool.tool_join = true;
  EXPECT_TRUE(t.Resume(id, rules, tool, 2).ok());
  MountRequest elsewhere = tool;
  elsewhere.ip = Ip(10, 0, 0, 2);
  EXPECT_EQ(t.Resume(id, rules, elsewhere, 3).code(), Code::kNoPassword);
  MountRequest client = Req(Ip(10, 0, 0, 1), "/sub");  // not a tool: proves it again
  EXPECT_EQ(t.Resume(id, rules, client, 4).code(), Code::kNoPassword);
  MountRequest other_folder = tool;
  other_folder.folder = "/";
  EXPECT_EQ(t.Resume(id, rules, other_folder, 5).code(), Code::kBadSession);
}

TEST(SessionTable, Md5passWorksLikePassword) {
  // md5pass = MD5("password")
  auto rules = Rules("* / rw,md5pass=5f4dcc3b5aa765d61d8327deb882cf99\n");
  SessionTable t;
  Challenge c = NewChallenge();
  MountRequest r = Req(1, "/");
  ChallengeAnswer a = AnswerChallenge(KeyOfPassword("password"), c);
  r.challenge = c;
  r.answer = a;
  EXPECT_TRUE(t.Open(rules, r, 1).ok());
}

TEST(SessionTable, ResumeKeepsTheSessionAndChecksTheAddress) {
  auto rules = Rules("* / rw\n");
  SessionTable t;
  auto s = t.Open(rules, Req(Ip(10, 0, 0, 1), "/"), 1);
  ASSERT_TRUE(s.ok());
  uint32_t id = (*s)->id;
  auto again = t.Resume(id, rules, Req(Ip(10, 0, 0, 1), "/"), 50);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->id, id);
  EXPECT_EQ((*again)->last_seen, 50u);
  EXPECT_EQ(t.Resume(id, rules, Req(Ip(10, 0, 0, 2), "/"), 51).code(), Code::kBadSession);
  EXPECT_EQ(t.Resume(999, rules, Req(Ip(10, 0, 0, 1), "/"), 51).code(), Code::kBadSession);
  auto dyn = Rules("* / rw,dynamicip\n");
  EXPECT_TRUE(t.Resume(id, dyn, Req(Ip(10, 0, 0, 2), "/"), 52).ok());
}

TEST(SessionTable, SurvivesARestartThroughSessionsFile) {
  auto rules = Rules("* / rw,alldirs\n");
  SessionTable t;
  auto a = t.Open(rules, Req(5, "/a b"), 10);
  auto b = t.Open(rules, Req(6, "/"), 11);
  ASSERT_TRUE(a.ok() && b.ok());
  std::string saved = t.Serialize();
  SessionTable restarted;
  ASSERT_TRUE(restarted.Load(saved, rules).ok());
  EXPECT_EQ(restarted.size(), 2u);
  ASSERT_NE(restarted.Find((*a)->id), nullptr);
  EXPECT_EQ(restarted.Find((*a)->id)->folder, "/a b");
  EXPECT_EQ(restarted.Find((*a)->id)->info, "host:/mnt/elk");
  EXPECT_TRUE(restarted.Resume((*b)->id, rules, Req(6, "/"), 20).ok());
  auto c = restarted.Open(rules, Req(7, "/"), 21);
  ASSERT_TRUE(c.ok());
  EXPECT_GT((*c)->id, (*b)->id) << "ids are never reused";
  EXPECT_EQ(restarted.Load("garbage line\n", rules).code(), Code::kCorruption);
}

TEST(SessionTable, ExpireDropsIdleSessions) {
  auto rules = Rules("* / rw\n");
  SessionTable t;
  auto a = t.Open(rules, Req(1, "/"), 0);
  auto b = t.Open(rules, Req(1, "/"), 0);
  ASSERT_TRUE(a.ok() && b.ok());
  t.Touch((*b)->id, 100);
  auto gone = t.Expire(120, 60);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0], 1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(ExportLimits, MaprootMapallReadonlyGoalTrashtime) {
  auto rules = Rules("* / rw,maproot=1000:1000,mingoal=2,maxgoal=3,mintrashtime=60\n");
  const cfg::ExportOptions& o = rules[0].options;
  Cred root;
  root.uid = 0;
  root.gid = 0;
  root.groups = {0, 5};
  Cred mapped = MapCredentials(o, root);
  EXPECT_EQ(mapped.uid, 1000u);
  EXPECT_EQ(mapped.gid, 1000u);
  EXPECT_TRUE(mapped.groups.empty());
  Cred user{42, 42, {7}};
  EXPECT_EQ(MapCredentials(o, user).uid, 42u);
  EXPECT_EQ(CheckGoal(o, 1).code(), Code::kPerm);
  EXPECT_TRUE(CheckGoal(o, 2).ok());
  EXPECT_EQ(CheckGoal(o, 4).code(), Code::kPerm);
  EXPECT_EQ(CheckTrashTime(o, 0).code(), Code::kPerm);
  EXPECT_TRUE(CheckTrashTime(o, 86400).ok());
  EXPECT_TRUE(CheckWritable(o).ok());
  auto ro = Rules("* / ro,mapall=nobody\n");
  EXPECT_EQ(CheckWritable(ro[0].options).code(), Code::kReadOnly);
  EXPECT_EQ(MapCredentials(ro[0].options, user).uid, 65534u);
}

TEST(ExportLimits, IgnoregidTravelsWithTheCredentials) {
  Cred user{42, 42, {7}};
  EXPECT_FALSE(MapCredentials(Rules("* / rw\n")[0].options, user).ignoregid);
  EXPECT_TRUE(MapCredentials(Rules("* / rw,ignoregid\n")[0].options, user).ignoregid);
  EXPECT_TRUE(MapCredentials(Rules("* / rw,ignoregid,mapall=nobody\n")[0].options, user).ignoregid);
}

// A promoted follower knows a session only by its open files: the first resume gives it
// the client's address and folder, checked as a new mount; a tool cannot take it first.
TEST(SessionTable, AnAdoptedSessionIsResumedByItsOwnerAsANewMountWouldBe) {
  auto rules = Rules("10.0.0.0/8 / rw\n");
  SessionTable t;
  ASSERT_TRUE(t.Adopt(7, 100));
  EXPECT_FALSE(t.Adopt(0, 100));
  ASSERT_NE(t.Find(7), nullptr);
  EXPECT_TRUE(t.Find(7)->adopted);
  EXPECT_EQ(t.Serialize().find("session 7"), std::string::npos) << "nothing to keep yet";
  MountRequest tool = Req(Ip(10, 0, 0, 1), "/");
  tool.tool_join = true;
  EXPECT_EQ(t.Resume(7, rules, tool, 101).code(), Code::kBadSession);
  EXPECT_EQ(t.Resume(7, rules, Req(Ip(192, 168, 0, 1), "/"), 101).code(), Code::kAccess);
  auto s = t.Resume(7, rules, Req(Ip(10, 0, 0, 1), "/"), 102);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE((*s)->adopted);
  EXPECT_EQ((*s)->ip, Ip(10, 0, 0, 1));
  EXPECT_NE(t.Serialize().find("session 7"), std::string::npos);
  // New sessions take ids above the adopted ones.
  auto fresh = t.Open(rules, Req(Ip(10, 0, 0, 2), "/"), 103);
  ASSERT_TRUE(fresh.ok());
  EXPECT_GT((*fresh)->id, 7u);
  // Now an ordinary session: another address without dynamicip is refused.
  EXPECT_EQ(t.Resume(7, rules, Req(Ip(10, 0, 0, 3), "/"), 104).code(), Code::kBadSession);
}

}  // namespace
}  // namespace elk::master
