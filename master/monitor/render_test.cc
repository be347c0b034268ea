#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "master/monitor/history.h"
#include "master/monitor/html.h"
#include "master/monitor/json.h"
#include "master/monitor/prometheus.h"
#include "master/monitor/prometheus_check.h"
#include "master/monitor/test_snapshot.h"

namespace elk::master::monitor {
namespace {

using nlohmann::json;
using testing::SampleSnapshot;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    n++;
  return n;
}

TEST(ChunkMatrixTest, ClassifiesByGoalAndCopies) {
  ChunkMatrix m = SampleSnapshot().chunks;
  EXPECT_EQ(m.total(), 9u);
  EXPECT_EQ(m.missing(), 1u);
  EXPECT_EQ(m.endangered(), 1u);
  EXPECT_EQ(m.undergoal(), 2u);  // the missing one and the endangered one
  EXPECT_EQ(m.stable(), 5u);
  EXPECT_EQ(m.overgoal(), 1u);
  EXPECT_EQ(m.unreferenced(), 1u);
  m.Add(12, 40);  // out of range: clamped into the last row and column
  EXPECT_EQ(m.cells[kMaxGoal][kMaxCopiesColumn], 1u);
}

TEST(JsonTest, EverySectionIsAnObject) {
  Snapshot s = SampleSnapshot();
  for (const std::string& name : ApiSections()) {
    auto text = RenderApi(s, name);
    ASSERT_TRUE(text.has_value()) << name;
    json j = json::parse(*text);
    EXPECT_TRUE(j.is_object()) << name;
  }
  EXPECT_FALSE(RenderApi(s, "passwd").has_value());
  EXPECT_FALSE(RenderApi(s, "").has_value());
}

TEST(JsonTest, InfoAndLists) {
  Snapshot s = SampleSnapshot();
  json info = InfoJson(s);
  EXPECT_EQ(info["files"], 17);
  EXPECT_EQ(info["directories"], 3);
  EXPECT_EQ(info["uptime_seconds"], 3725);
  EXPECT_EQ(info["free_space"], (3ull << 40) - (1ull << 40));
  EXPECT_EQ(info["missing_chunks"], 1);
  json cs = ChunkserversJson(s)["chunkservers"];
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0]["address"], "10.0.0.1:9422");
  EXPECT_EQ(cs[1]["state"], "marked for removal");
  EXPECT_EQ(cs[2]["state"], "lost");
  EXPECT_EQ(SessionsJson(s)["sessions"][1]["info"], "<script>alert(1)</script>");
  EXPECT_EQ(MetaloggersJson(s)["metaloggers"][0]["lag"], 2);
  EXPECT_EQ(ExportsJson(s)["exports"][1]["path"], ".");
  json disks = DisksJson(s)["disks"];
  ASSERT_EQ(disks.size(), 3u);
  EXPECT_EQ(disks[0]["chunkserver"], "10.0.0.1:9422");
  EXPECT_EQ(disks[0]["path"], "/mnt/hd1");
  EXPECT_EQ(disks[0]["state"], "ok");
  EXPECT_EQ(disks[0]["used_space"], 1ull << 38);
  EXPECT_DOUBLE_EQ(disks[0]["scrub_percent"].get<double>(), 25.0);
  EXPECT_EQ(disks[1]["damaged"], true);
  EXPECT_EQ(disks[1]["errors"], 3);
  EXPECT_EQ(disks[1]["last_error"], "read /mnt/hd2/00/x: <EIO>");
  EXPECT_EQ(disks[1]["last_error_time"], 1'699'999'990);
  EXPECT_TRUE(disks[1]["scrub_percent"].is_null());  // scrub off
  EXPECT_EQ(disks[2]["marked_for_removal"], true);
  EXPECT_TRUE(disks[2]["scrub_percent"].is_null());  // scrub on, no round total yet
  EXPECT_FALSE(DisksJson(s)["note"].get<std::string>().empty());
  json chunks = ChunksJson(s);
  EXPECT_EQ(chunks["matrix"][2][2], 5);
  EXPECT_EQ(chunks["replication"]["catching_up"], true);
  EXPECT_EQ(chunks["replication"]["done"], 3);
  EXPECT_EQ(chunks["replication"]["total"], 4);
  EXPECT_DOUBLE_EQ(chunks["replication"]["percent"].get<double>(), 75.0);
  EXPECT_EQ(chunks["replication"]["in_flight"], 3);
  EXPECT_EQ(info["replications_in_flight"], 3);
  EXPECT_DOUBLE_EQ(info["catch_up_percent"].get<double>(), 75.0);
  EXPECT_EQ(chunks["endangered"], 1);
  EXPECT_EQ(OpsJson(s)["operations"]["lookup"], 100);
  EXPECT_EQ(OpsJson(s)["history"].size(), 3u);
}

TEST(PrometheusTest, ParsesLineByLine) {
  std::string text = RenderPrometheus(SampleSnapshot());
  testing::PromParse p = testing::ParsePrometheus(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_EQ(p.samples["elkfs_files"], 17);
  EXPECT_EQ(p.samples["elkfs_chunks_missing"], 1);
  EXPECT_EQ(p.samples[R"(elkfs_chunks_by_copies{goal="2",copies="2"})"], 5);
  EXPECT_EQ(p.samples[R"(elkfs_chunkservers{state="lost"})"], 1);
  EXPECT_EQ(p.samples[R"(elkfs_chunkserver_up{address="10.0.0.3:9422"})"], 0);
  EXPECT_EQ(p.samples[R"(elkfs_client_requests_total{op="we\"ird\\op"})"], 1);
  EXPECT_EQ(p.samples[R"(elkfs_disk_used_bytes{server="10.0.0.1:9422",path="/mnt/hd1"})"],
            static_cast<double>(1ull << 38));
  EXPECT_EQ(p.samples[R"(elkfs_disk_damaged{server="10.0.0.1:9422",path="/mnt/hd2"})"], 1);
  EXPECT_EQ(
      p.samples[R"(elkfs_disk_marked_for_removal{server="10.0.0.2:9422",path="/mnt/\"odd\""})"], 1);
  EXPECT_EQ(p.samples[R"(elkfs_disk_scrub_ratio{server="10.0.0.1:9422",path="/mnt/hd1"})"], 0.25);
  EXPECT_EQ(p.samples.count(R"(elkfs_disk_scrub_ratio{server="10.0.0.1:9422",path="/mnt/hd2"})"),
            0u);
  EXPECT_EQ(p.samples["elkfs_replications_in_flight"], 3);
  EXPECT_EQ(p.samples["elkfs_replication_catchup_active"], 1);
  EXPECT_EQ(p.samples["elkfs_replication_catchup_done_chunks"], 3);
  EXPECT_EQ(p.samples["elkfs_replication_catchup_total_chunks"], 4);
  EXPECT_EQ(p.samples["elkfs_replication_catchup_ratio"], 0.75);
  EXPECT_EQ(p.types["elkfs_client_requests_total"], "counter");
  for (const auto& [family, type] : p.types)
    EXPECT_EQ(family.rfind("elkfs_", 0), 0u) << family;
}

TEST(PrometheusCheckTest, RefusesBadText) {
  EXPECT_NE(testing::ParsePrometheus("elkfs_x 1\n").error, "");  // no HELP/TYPE
  EXPECT_NE(testing::ParsePrometheus("# HELP a b\n# TYPE a gauge\na{x=\"1} 2\n").error, "");
  EXPECT_NE(testing::ParsePrometheus("# HELP a b\n# TYPE a gauge\na one\n").error, "");
  EXPECT_EQ(testing::ParsePrometheus("# HELP a b\n# TYPE a gauge\na{x=\"\\\"\"} 2\n").error, "");
}

TEST(HtmlTest, TablesAndEscaping) {
  std::string html = RenderHtml(SampleSnapshot());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(html, "<script>"), 0u);  // a client's self-description stays text
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  size_t at = html.find("<table id='chunkservers'>");
  ASSERT_NE(at, std::string::npos);
  std::string table = html.substr(at, html.find("</table>", at) - at);
  EXPECT_EQ(Count(table, "<tr>"), 4u);  // the header and three servers
  EXPECT_NE(table.find("10.0.0.3:9422"), std::string::npos);
  at = html.find("<table id='disks'>");
  ASSERT_NE(at, std::string::npos);
  std::string disks = html.substr(at, html.find("</table>", at) - at);
  EXPECT_EQ(Count(disks, "<tr"), 4u);  // the header and three disks
  EXPECT_NE(disks.find("<tr class=bad><td>10.0.0.1:9422</td><td>/mnt/hd2</td><td>damaged</td>"),
            std::string::npos)
      << disks;
  EXPECT_NE(disks.find("read /mnt/hd2/00/x: &lt;EIO&gt;"), std::string::npos);
  EXPECT_NE(disks.find("25% (1 of 4)"), std::string::npos);
  EXPECT_NE(disks.find("/mnt/&quot;odd&quot;"), std::string::npos);
  EXPECT_NE(html.find("<p id=catchup>Replication catch-up: 3 of 4 under-goal chunks done (75%), 3 "
                      "in flight, since 2023-11-14 22:11:40 UTC</p>"),
            std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(Count(html, "http://"), 1u);  // only the SVG namespace: no external asset
}

TEST(HtmlTest, ChartNeedsTwoPoints) {
  EXPECT_EQ(OpsChartSvg({}).find("<svg"), std::string::npos);
  EXPECT_EQ(OpsChartSvg({{1, 1.0}}).find("<svg"), std::string::npos);
  EXPECT_NE(OpsChartSvg({{1, 1.0}, {61, 0.0}}).find("<polyline"), std::string::npos);
}

TEST(FormatTest, HumanUnits) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(3ull << 40), "3.0 TiB");
  EXPECT_EQ(HumanDuration(59), "59s");
  EXPECT_EQ(HumanDuration(3725), "1h 2m");
  EXPECT_EQ(HumanDuration(2 * 86400 + 7200), "2d 2h");
  EXPECT_EQ(HtmlEscape("a&<>\"'"), "a&amp;&lt;&gt;&quot;&#39;");
}

TEST(OpsHistoryTest, OnePointAStep) {
  OpsHistory h(60, 3);
  h.Sample(1000, 0);
  h.Sample(1030, 100);  // inside the first step: no point yet
  EXPECT_TRUE(h.points().empty());
  h.Sample(1060, 600);
  ASSERT_EQ(h.points().size(), 1u);
  EXPECT_DOUBLE_EQ(h.points()[0].ops_per_second, 10.0);
  for (uint32_t t = 1120; t <= 1360; t += 60)
    h.Sample(t, 600);
  EXPECT_EQ(h.points().size(), 3u);  // capacity
  EXPECT_DOUBLE_EQ(h.points().back().ops_per_second, 0.0);
}

}  // namespace
}  // namespace elk::master::monitor
