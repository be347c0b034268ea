#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/cfg/exports_file.h"
#include "common/cfg/value_parse.h"

namespace elk::cfg {
namespace {

// A fixed user database so results do not depend on the machine.
const IdResolver& FakeIds() {
  static const IdResolver ids{
      [](std::string_view name) -> std::optional<UserIds> {
        if (name == "nobody") return UserIds{65534, 65534};
        if (name == "alice") return UserIds{1000, 1000};
        return std::nullopt;
      },
      [](uint32_t uid) -> std::optional<UserIds> {
        if (uid == 0) return UserIds{0, 0};
        if (uid == 1000) return UserIds{1000, 1000};
        return std::nullopt;
      },
      [](std::string_view name) -> std::optional<uint32_t> {
        if (name == "staff") return 50u;
        return std::nullopt;
      },
  };
  return ids;
}

uint32_t Ip(const char* text) {
  return *ParseIPv4(text);
}

ExportRule One(std::string_view line) {
  auto rules = ParseExportsStrict(line, "e.cfg", FakeIds());
  EXPECT_TRUE(rules.ok()) << rules.status().message();
  if (!rules.ok() || rules->size() != 1) return {};
  return rules->front();
}

std::string ErrorOf(std::string_view line) {
  auto parsed = ParseExports(line, "e.cfg", FakeIds());
  return parsed.errors.empty() ? std::string("(no error)") : parsed.errors.front();
}

TEST(ExportAddress, Star) {
  auto r = One("* /");
  EXPECT_TRUE(r.Matches(0));
  EXPECT_TRUE(r.Matches(0xFFFFFFFF));
}

TEST(ExportAddress, Single) {
  auto r = One("10.1.2.3 /");
  EXPECT_TRUE(r.Matches(Ip("10.1.2.3")));
  EXPECT_FALSE(r.Matches(Ip("10.1.2.4")));
}

TEST(ExportAddress, PrefixLengths) {
  auto r = One("192.168.1.77/24 /");
  EXPECT_TRUE(r.Matches(Ip("192.168.1.0")));
  EXPECT_TRUE(r.Matches(Ip("192.168.1.255")));
  EXPECT_FALSE(r.Matches(Ip("192.168.2.0")));
  auto all = One("10.0.0.0/0 /");
  EXPECT_TRUE(all.Matches(0));
  EXPECT_TRUE(all.Matches(0xFFFFFFFF));
  auto host = One("10.0.0.9/32 /");
  EXPECT_TRUE(host.Matches(Ip("10.0.0.9")));
  EXPECT_FALSE(host.Matches(Ip("10.0.0.8")));
}

TEST(ExportAddress, DottedMask) {
  auto r = One("10.20.0.0/255.255.0.0 /");
  EXPECT_TRUE(r.Matches(Ip("10.20.200.1")));
  EXPECT_FALSE(r.Matches(Ip("10.21.0.0")));
  EXPECT_EQ(ErrorOf("10.0.0.0/255.0.255.0 /"),
            "e.cfg:1: address '10.0.0.0/255.0.255.0': the mask is not contiguous");
}

TEST(ExportAddress, Range) {
  auto r = One("10.0.0.5-10.0.0.10 /");
  EXPECT_FALSE(r.Matches(Ip("10.0.0.4")));
  EXPECT_TRUE(r.Matches(Ip("10.0.0.5")));
  EXPECT_TRUE(r.Matches(Ip("10.0.0.10")));
  EXPECT_FALSE(r.Matches(Ip("10.0.0.11")));
  EXPECT_EQ(ErrorOf("10.0.0.10-10.0.0.5 /"),
            "e.cfg:1: address '10.0.0.10-10.0.0.5': the range is inverted (first address above "
            "the last)");
}

TEST(ExportAddress, BadForms) {
  EXPECT_EQ(ErrorOf("10.0.0.0/33 /"), "e.cfg:1: address '10.0.0.0/33': prefix length over 32");
  EXPECT_EQ(ErrorOf("10.0.0.256 /"),
            "e.cfg:1: address '10.0.0.256': '10.0.0.256': octet 256 is over 255");
  EXPECT_NE(ErrorOf("10.0.0 /").find("is not an IPv4 address"), std::string::npos);
  EXPECT_NE(ErrorOf("host.example /").find("e.cfg:1: address 'host.example'"), std::string::npos);
  EXPECT_NE(ErrorOf("10.0.0.0/ /").find("prefix length is not a number"), std::string::npos);
}

TEST(ExportDirectory, NormalisedAndMeta) {
  EXPECT_EQ(One("* /a//b/").path, "/a/b");
  EXPECT_TRUE(One("* .").meta());
  EXPECT_EQ(ErrorOf("* relative"), "e.cfg:1: folder 'relative' is not an absolute path or '.'");
  EXPECT_EQ(ErrorOf("* /a/../b"), "e.cfg:1: folder '/a/../b' has a '..' component");
  EXPECT_EQ(ErrorOf("*"), "e.cfg:1: expected ADDRESS DIRECTORY [OPTIONS]");
}

TEST(ExportOptions, Defaults) {
  auto o = One("* /").options;
  EXPECT_TRUE(o.readonly);
  EXPECT_FALSE(o.alldirs);
  EXPECT_EQ(o.maproot.uid, 999u);
  EXPECT_EQ(o.maproot.gid, 999u);
  EXPECT_FALSE(o.mapall.has_value());
  EXPECT_FALSE(o.password_md5.has_value());
  EXPECT_EQ(o.mingoal, 1u);
  EXPECT_EQ(o.maxgoal, 9u);
  EXPECT_EQ(o.mintrashtime, 0u);
  EXPECT_EQ(o.maxtrashtime, UINT32_MAX);
}

TEST(ExportOptions, Flags) {
  auto o = One("* / rw,alldirs,dynamicip,ignoregid,admin").options;
  EXPECT_FALSE(o.readonly);
  EXPECT_TRUE(o.alldirs && o.dynamicip && o.ignoregid && o.admin);
  EXPECT_TRUE(One("* / readwrite,readonly").options.readonly);
  EXPECT_FALSE(One("* / ro,readwrite").options.readonly);
  EXPECT_EQ(ErrorOf("* / rw=1"), "e.cfg:1: option 'rw' takes no value");
}

TEST(ExportOptions, MaprootAndMapall) {
  auto o = One("* / maproot=0:0").options;
  EXPECT_EQ(o.maproot.uid, 0u);
  EXPECT_EQ(o.maproot.gid, 0u);
  o = One("* / maproot=nobody").options;
  EXPECT_EQ(o.maproot.uid, 65534u);
  EXPECT_EQ(o.maproot.gid, 65534u);
  o = One("* / mapall=alice:staff").options;
  ASSERT_TRUE(o.mapall.has_value());
  EXPECT_EQ(o.mapall->uid, 1000u);
  EXPECT_EQ(o.mapall->gid, 50u);
  o = One("* / mapall=4242:77").options;
  EXPECT_EQ(o.mapall->uid, 4242u);
  EXPECT_EQ(o.mapall->gid, 77u);
  EXPECT_EQ(ErrorOf("* / maproot=mallory"), "e.cfg:1: maproot: unknown user 'mallory'");
  EXPECT_EQ(ErrorOf("* / mapall=alice:wheel"), "e.cfg:1: mapall: unknown group 'wheel'");
  EXPECT_EQ(ErrorOf("* / maproot=4242"), "e.cfg:1: maproot: unknown user '4242'");
  EXPECT_EQ(ErrorOf("* / maproot"), "e.cfg:1: option 'maproot' needs a value");
}

TEST(ExportOptions, Passwords) {
  // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72
  auto o = One("* / password=abc").options;
  ASSERT_TRUE(o.password_md5.has_value());
  EXPECT_EQ((*o.password_md5)[0], 0x90);
  EXPECT_EQ((*o.password_md5)[15], 0x72);
  auto m = One("* / md5pass=900150983CD24FB0D6963F7D28E17F72").options;
  EXPECT_EQ(m.password_md5, o.password_md5);
  EXPECT_EQ(ErrorOf("* / md5pass=123"), "e.cfg:1: md5pass: expected 32 hex digits");
  EXPECT_EQ(ErrorOf("* / md5pass=zz0150983cd24fb0d6963f7d28e17f72"),
            "e.cfg:1: md5pass: expected 32 hex digits");
}

TEST(ExportOptions, Goals) {
  auto o = One("* / mingoal=2,maxgoal=3").options;
  EXPECT_EQ(o.mingoal, 2u);
  EXPECT_EQ(o.maxgoal, 3u);
  EXPECT_EQ(ErrorOf("* / mingoal=5,maxgoal=3"), "e.cfg:1: mingoal 5 is above maxgoal 3");
  EXPECT_EQ(ErrorOf("* / maxgoal=10"), "e.cfg:1: maxgoal: '10' is not a goal 1..9");
  EXPECT_EQ(ErrorOf("* / mingoal=0"), "e.cfg:1: mingoal: '0' is not a goal 1..9");
}

TEST(ExportOptions, TrashTimes) {
  auto o = One("* / mintrashtime=2h,maxtrashtime=1w").options;
  EXPECT_EQ(o.mintrashtime, 7200u);
  EXPECT_EQ(o.maxtrashtime, 604800u);
  EXPECT_EQ(One("* / maxtrashtime=86400").options.maxtrashtime, 86400u);
  EXPECT_EQ(ErrorOf("* / mintrashtime=1d,maxtrashtime=1h"),
            "e.cfg:1: mintrashtime 86400 is above maxtrashtime 3600");
  EXPECT_NE(ErrorOf("* / mintrashtime=soon").find("mintrashtime:"), std::string::npos);
}

TEST(ExportOptions, MooseFsOptionsWithoutAnElkFsFeatureAreAcceptedWithANote) {
  std::vector<std::string> notes;
  auto o =
      ParseExportOptions("rw,canchangequota,nonrootmeta,minversion=3.0.105", FakeIds(), &notes);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->admin);
  EXPECT_TRUE(o->nonrootmeta);
  EXPECT_EQ(o->minversion, "3.0.105");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].rfind("canchangequota:", 0), 0u) << notes[0];
  EXPECT_EQ(notes[1].rfind("minversion=3.0.105: not checked", 0), 0u) << notes[1];
  EXPECT_FALSE(ParseExportOptions("minversion=three", FakeIds()).ok());
  EXPECT_FALSE(ParseExportOptions("minversion", FakeIds()).ok());
}

TEST(ExportOptions, RestrictionsElkFsCannotEnforceAreRefused) {
  auto o = ParseExportOptions("rw,umask=077", FakeIds());
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("'umask'"), std::string::npos);
  EXPECT_FALSE(ParseExportOptions("rw,disable=chown", FakeIds()).ok());
}

TEST(ExportsFile, NotesNameFileAndLine) {
  ExportsParse parsed =
      ParseExports("# MooseFS 3 style\n* / rw,alldirs,minversion=3.0\n", "x.cfg", FakeIds());
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.notes.size(), 1u);
  EXPECT_EQ(parsed.notes[0].rfind("x.cfg:2: minversion=3.0:", 0), 0u) << parsed.notes[0];
}

TEST(ExportOptions, UnknownAndEmptyOptions) {
  EXPECT_EQ(ErrorOf("* / rx"), "e.cfg:1: unknown option 'rx'");
  EXPECT_EQ(ErrorOf("* / rw,,alldirs"), "e.cfg:1: empty option");
  EXPECT_NE(ErrorOf("* / rw, alldirs").find("contain a space"), std::string::npos);
}

TEST(ExportsFile, EveryBadLineIsReportedWithItsNumber) {
  std::string text =
      "# exports\n"
      "*        /       rw,alldirs,maproot=0:0\n"
      "10.0.0.0/33 /x\n"
      "\n"
      "*        .       rw\n"
      "* /y bogus\n";
  ExportsParse parsed = ParseExports(text, "/etc/mfs/mfsexports.cfg", FakeIds());
  ASSERT_EQ(parsed.rules.size(), 2u);
  EXPECT_EQ(parsed.rules[0].line, 2u);
  EXPECT_EQ(parsed.rules[1].line, 5u);
  ASSERT_EQ(parsed.errors.size(), 2u);
  EXPECT_EQ(parsed.errors[0].rfind("/etc/mfs/mfsexports.cfg:3: ", 0), 0u);
  EXPECT_EQ(parsed.errors[1], "/etc/mfs/mfsexports.cfg:6: unknown option 'bogus'");
  auto strict = ParseExportsStrict(text, "/etc/mfs/mfsexports.cfg", FakeIds());
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find(":3: "), std::string::npos);
  EXPECT_NE(strict.status().message().find(":6: "), std::string::npos);
}

TEST(FindExport, FirstMatchWinsAndAlldirsAllowsSubfolders) {
  auto rules = *ParseExportsStrict(
      "10.0.0.0/8 /data rw\n"
      "10.0.0.0/8 /home alldirs\n"
      "* / ro\n"
      "192.168.0.0/16 . rw\n",
      "e.cfg", FakeIds());
  uint32_t inside = Ip("10.1.1.1");
  uint32_t outside = Ip("172.16.0.1");
  const ExportRule* r = FindExport(rules, inside, "/data");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->line, 1u);
  EXPECT_EQ(FindExport(rules, inside, "/data/sub"), nullptr);  // no alldirs, no "/" match
  EXPECT_EQ(FindExport(rules, inside, "/home/alice/x")->line, 2u);
  EXPECT_EQ(FindExport(rules, inside, "/home/")->line, 2u);
  EXPECT_EQ(FindExport(rules, inside, "/homework"), nullptr);
  EXPECT_EQ(FindExport(rules, outside, "/")->line, 3u);
  EXPECT_EQ(FindExport(rules, outside, "/data"), nullptr);
  EXPECT_EQ(FindExport(rules, outside, "."), nullptr);
  EXPECT_EQ(FindExport(rules, Ip("192.168.3.4"), ".")->line, 4u);
  EXPECT_EQ(FindExport(rules, inside, "relative"), nullptr);
}

TEST(FindExport, AlldirsOnRootCoversEverything) {
  auto rules = *ParseExportsStrict("* / alldirs\n", "e.cfg", FakeIds());
  EXPECT_NE(FindExport(rules, 1, "/a/b/c"), nullptr);
  EXPECT_EQ(FindExport(rules, 1, "."), nullptr);
}

TEST(ExportsTable, ReloadKeepsOldRulesOnFailure) {
  char name[] = "/tmp/elkexports_XXXXXX";
  int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(name) << "* / rw\n";
  ExportsTable table(FakeIds());
  ASSERT_TRUE(table.Load(name).ok());
  ASSERT_TRUE(table.Find(1, "/").has_value());
  EXPECT_FALSE(table.Find(1, "/").value().options.readonly);

  std::ofstream(name) << "* / ro\n* /x rw,nonsense\n";
  Status s = table.Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::string(name) + ":2: unknown option 'nonsense'"),
            std::string::npos);
  EXPECT_FALSE(table.Find(1, "/")->options.readonly);  // old rules still in force

  std::ofstream(name) << "10.0.0.1 / ro\n";
  ASSERT_TRUE(table.Reload().ok());
  EXPECT_FALSE(table.Find(1, "/").has_value());
  EXPECT_TRUE(table.Find(Ip("10.0.0.1"), "/")->options.readonly);
  unlink(name);
}

TEST(ExportsTable, MissingFileIsAnError) {
  ExportsTable table(FakeIds());
  EXPECT_EQ(table.Load("/nonexistent/mfsexports.cfg").code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::cfg
