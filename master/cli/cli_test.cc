#include <gtest/gtest.h>

#include "master/cli/fetch.h"
#include "master/cli/options.h"
#include "master/cli/sections.h"
#include "master/cli/table.h"
#include "master/monitor/json.h"
#include "master/monitor/test_snapshot.h"

namespace elk::cli {
namespace {

Result<Options> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mfscli");
  return ParseOptions(static_cast<int>(args.size()), args.data());
}

// A section rendered from the JSON the monitor would serve for the sample snapshot.
std::string Render(const std::string& code, Format f = {}) {
  const Section* s = FindSection(code);
  EXPECT_NE(s, nullptr) << code;
  if (s == nullptr) return "";
  auto text = master::monitor::RenderApi(master::monitor::testing::SampleSnapshot(), s->api);
  EXPECT_TRUE(text.has_value()) << s->api;
  return s->render(nlohmann::json::parse(*text), f);
}

TEST(OptionsTest, MooseFsStyle) {
  auto o = Parse({"-H", "m1", "-P", "19425", "-SIN", "-S", "CS", "-j"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->host, "m1");
  EXPECT_EQ(o->port, 19425);
  EXPECT_EQ(o->sections, (std::vector<std::string>{"IN", "CS"}));
  EXPECT_TRUE(o->json);
  auto d = Parse({"-SCS"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "mfsmaster");
  EXPECT_EQ(d->port, 9421);  // the client port, as MooseFS's mfscli
}

TEST(OptionsTest, Refusals) {
  EXPECT_FALSE(Parse({}).ok());        // no section
  EXPECT_FALSE(Parse({"-SXX"}).ok());  // unknown section
  EXPECT_FALSE(Parse({"-P", "0", "-SIN"}).ok());
  EXPECT_FALSE(Parse({"-P", "70000", "-SIN"}).ok());
  EXPECT_FALSE(Parse({"-SIN", "-H"}).ok());  // -H without a value
  EXPECT_FALSE(Parse({"-SIN", "extra"}).ok());
  EXPECT_TRUE(Parse({"-h"}).ok());
  for (const Section& s : Sections())
    EXPECT_NE(Usage().find("-S" + s.code), std::string::npos);
}

TEST(TableTest, AlignsColumns) {
  std::string out = FormatTable({{"name", "size"}, {{"a", "1.5 GiB"}, {"longer", "12"}}});
  EXPECT_EQ(out,
            "name       size\n"
            "---------------\n"
            "a       1.5 GiB\n"
            "longer       12\n");
  EXPECT_TRUE(LooksNumeric("45.2%"));
  EXPECT_TRUE(LooksNumeric("-3"));
  EXPECT_FALSE(LooksNumeric("10.0.0.1:9422"));
  EXPECT_FALSE(LooksNumeric("ok"));
}

TEST(SectionsTest, EverySectionRendersTheMonitorsJson) {
  for (const Section& s : Sections()) {
    if (s.parts.empty()) {
      EXPECT_FALSE(Render(s.code).empty()) << s.code;
    }
  }
  std::string cs = Render("CS");
  EXPECT_NE(cs.find("10.0.0.1:9422"), std::string::npos);
  EXPECT_NE(cs.find("lost"), std::string::npos);
  EXPECT_NE(cs.find("marked for removal"), std::string::npos);
  EXPECT_NE(cs.find("512.0 GiB"), std::string::npos);
  EXPECT_NE(Render("CS", {.plain_numbers = true}).find("549755813888"), std::string::npos);
  std::string info = Render("IG");
  EXPECT_NE(info.find("role"), std::string::npos) << info;
  EXPECT_NE(info.find("epoch"), std::string::npos) << info;
  EXPECT_NE(info.find("files"), std::string::npos);
  EXPECT_NE(info.find("1h 2m"), std::string::npos);
  std::string hd = Render("HD");
  EXPECT_NE(hd.find("note: "), std::string::npos);
  EXPECT_NE(hd.find("/mnt/hd1"), std::string::npos);
  EXPECT_NE(hd.find("25%"), std::string::npos);
  EXPECT_NE(hd.find("damaged"), std::string::npos);
  EXPECT_NE(hd.find("read /mnt/hd2/00/x: <EIO>"), std::string::npos);
  EXPECT_NE(hd.find("marked for removal"), std::string::npos);
  EXPECT_NE(Render("EX").find("10.0.0.0-10.0.255.255"), std::string::npos);
  EXPECT_NE(Render("MO").find("lookup"), std::string::npos);
  EXPECT_NE(Render("IC").find("endangered"), std::string::npos);
  EXPECT_NE(Render("IC").find("replication: 3 of 4 under-goal chunks done (75%), 3 in flight\n"),
            std::string::npos)
      << Render("IC");
}

// MooseFS's -SOF and -SAL: open files with every path of each, locks held and waiting.
TEST(SectionsTest, OpenFilesAndAcquiredLocks) {
  const std::string of = Render("OF", {.separator = "|"});
  EXPECT_NE(of.find("3|7|2|read-write|/db/main.sqlite\n"), std::string::npos) << of;
  EXPECT_NE(of.find("3|7|2|read-write|/db/link\n"), std::string::npos) << of;
  EXPECT_NE(of.find("4|9|1|read|-\n"), std::string::npos) << of;
  EXPECT_NE(of.find("note: the first 2 of 3 open files"), std::string::npos) << of;
  const std::string al = Render("AL", {.separator = "|"});
  EXPECT_NE(al.find("7|3|posix|99|1234|exclusive|10|EOF|held\n"), std::string::npos) << al;
  EXPECT_NE(al.find("7|4|flock|5|77|shared|0|EOF|waiting\n"), std::string::npos) << al;
}

// MooseFS's letters: -SIN is the full info (general and chunks), -SIG the general part,
// -SIC the chunks, -SMB the metaloggers; a section asked twice is read once.
TEST(SectionsTest, MooseFsLetters) {
  auto apis = [](std::vector<std::string> codes) {
    std::vector<std::string> out;
    for (const Section* s : LeafSections(codes))
      out.push_back(s->api);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(apis({"IN"}), (V{"info", "chunks"}));
  EXPECT_EQ(apis({"IG"}), (V{"info"}));
  EXPECT_EQ(apis({"IC", "IN"}), (V{"chunks", "info"}));
  EXPECT_EQ(apis({"MB", "ML"}), (V{"metaloggers"}));
  EXPECT_EQ(apis({"CS", "HD"}), (V{"chunkservers", "disks"}));
}

TEST(OptionsTest, ParsableRows) {
  auto p = Parse({"-p", "-SCS"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->separator, "\t");
  EXPECT_TRUE(p->plain_numbers);
  auto s = Parse({"-s", ";", "-f", "3", "-2", "-SCS"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->separator, ";");
  EXPECT_FALSE(Parse({"-s", "", "-SCS"}).ok());
  std::string cs = Render("CS", {.plain_numbers = true, .separator = ";"});
  EXPECT_NE(cs.find("10.0.0.1:9422;"), std::string::npos) << cs;
  EXPECT_NE(cs.find(";549755813888;"), std::string::npos) << cs;
  EXPECT_EQ(cs.find("address"), std::string::npos) << "no heading in parsable rows: " << cs;
  EXPECT_EQ(cs.find("  "), std::string::npos) << "no padding in parsable rows: " << cs;
}

TEST(SectionsTest, ToleratesMissingFields) {
  nlohmann::json odd = {{"chunkservers", {{{"address", "x"}}}}};
  std::string out = FindSection("CS")->render(odd, {});
  EXPECT_NE(out.find("x"), std::string::npos);
  EXPECT_FALSE(FindSection("IG")->render(nlohmann::json::array(), {}).empty());
  EXPECT_FALSE(FindSection("IC")->render(nlohmann::json::array(), {}).empty());
}

TEST(FetchTest, UnreachableIsAClearError) {
  auto r = FetchSection("127.0.0.1", 1, "info", 2);  // nothing listens on port 1
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::kCantConnect);
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace elk::cli
