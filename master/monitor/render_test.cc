#include <fmt/format.h>
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
  EXPECT_EQ(disks[0]["bytes_read"], 3ull << 30);
  EXPECT_EQ(disks[0]["bytes_written"], 1ull << 20);
  EXPECT_EQ(disks[1]["bytes_read"], 0);
  json history = HistoryJson(s);
  EXPECT_EQ(history["step_seconds"], 60);
  EXPECT_EQ(history["totals"]["bytes_read"], 5ull << 30);
  EXPECT_EQ(history["totals"]["replications"], 12);
  ASSERT_EQ(history["history"].size(), 3u);
  EXPECT_EQ(history["history"][0]["time"], 1'699'999'880);
  EXPECT_DOUBLE_EQ(history["history"][0]["read_bytes_per_second"].get<double>(), 2.5 * (1 << 20));
  EXPECT_DOUBLE_EQ(history["history"][0]["written_bytes_per_second"].get<double>(), 1 << 20);
  EXPECT_DOUBLE_EQ(history["history"][1]["replications_per_second"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(history["history"][2]["deletions_per_second"].get<double>(), 0.05);
  EXPECT_EQ(OpsJson(s)["history"], history["history"]);
  EXPECT_TRUE(RenderApi(s, "history").has_value());
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
  EXPECT_EQ(p.samples[R"(elkfs_disk_bytes_read_total{server="10.0.0.1:9422",path="/mnt/hd1"})"],
            static_cast<double>(3ull << 30));
  EXPECT_EQ(p.samples[R"(elkfs_disk_bytes_written_total{server="10.0.0.1:9422",path="/mnt/hd1"})"],
            static_cast<double>(1 << 20));
  EXPECT_EQ(p.samples[R"(elkfs_disk_bytes_read_total{server="10.0.0.1:9422",path="/mnt/hd2"})"], 0);
  EXPECT_EQ(p.types["elkfs_disk_bytes_read_total"], "counter");
  EXPECT_EQ(p.types["elkfs_disk_bytes_written_total"], "counter");
  EXPECT_EQ(p.samples["elkfs_replications_total"], 12);
  EXPECT_EQ(p.samples["elkfs_replication_deletions_total"], 2);
  EXPECT_EQ(p.samples["elkfs_bytes_read_total"], static_cast<double>(5ull << 30));
  EXPECT_EQ(p.types["elkfs_replications_total"], "counter");
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
  at = html.find("<table id='openfiles'>");
  ASSERT_NE(at, std::string::npos);
  const std::string open = html.substr(at, html.find("</table>", at) - at);
  EXPECT_NE(open.find("<td>/db/main.sqlite, /db/link</td>"), std::string::npos) << open;
  EXPECT_NE(html.find("the first 2 of 3 open files"), std::string::npos);
  at = html.find("<table id='locks'>");
  ASSERT_NE(at, std::string::npos);
  const std::string locks = html.substr(at, html.find("</table>", at) - at);
  EXPECT_EQ(Count(locks, "<tr>"), 3u);  // the header, one held, one waiting
  EXPECT_NE(locks.find("<td>EOF</td><td>waiting</td>"), std::string::npos) << locks;
  // Three charts: requests, bytes read and written, replication.
  EXPECT_EQ(Count(html, "<svg"), 3u);
  EXPECT_EQ(Count(html, "<polyline"), 5u);
  EXPECT_NE(html.find("aria-label='bytes read and written per second"), std::string::npos);
  EXPECT_NE(html.find("4.0 MiB/s"), std::string::npos);  // the top of the bytes axis
  EXPECT_NE(html.find("one point a minute, the last 24 hours"), std::string::npos);
  EXPECT_EQ(Count(html, "http://"), 3u);  // only the SVG namespaces: no external asset
  EXPECT_EQ(Count(html, "https://"), 0u);
}

TEST(ChartTest, DrawsEverySeriesWithALegendAndUnits) {
  Chart c{.title = "bytes <per> second",
          .times = {1000, 1060, 1120},
          .series = {{"read", "#27c", {0, 1 << 20, 2 << 20}}, {"written", "#d62", {3 << 20, 0, 0}}},
          .label = HumanRate,
          .floor = 1024};
  const std::string svg = ChartSvg(c);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg;
  EXPECT_EQ(Count(svg, "<polyline"), 2u);
  EXPECT_EQ(Count(svg, "<script"), 0u);
  EXPECT_NE(svg.find("bytes &lt;per&gt; second"), std::string::npos);  // escaped title
  EXPECT_NE(svg.find(">read</text>"), std::string::npos) << svg;       // the legend
  EXPECT_NE(svg.find(">written</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">3.0 MiB/s</text>"), std::string::npos) << svg;  // the peak at the top
  EXPECT_NE(svg.find(">1.5 MiB/s</text>"), std::string::npos) << svg;  // and half-way
  EXPECT_NE(svg.find(">2m 0s ago</text>"), std::string::npos) << svg;
  // The written line starts at the top (its peak) and falls to the bottom edge.
  const size_t written = svg.find("stroke='#d62'");
  ASSERT_NE(written, std::string::npos);
  EXPECT_NE(svg.find("points='74.0,24.0 ", written), std::string::npos) << svg;
  EXPECT_NE(svg.find("714.0,150.0 '", written), std::string::npos) << svg;
}

TEST(ChartTest, AQuietClusterKeepsTheFloorAndFewPointsGiveANote) {
  Chart c{.title = "requests",
          .times = {0, 60},
          .series = {{"r", "#2a6", {0, 0}}},
          .label = [](double v) { return fmt::format("{:.1f}/s", v); }};
  EXPECT_NE(ChartSvg(c).find(">1.0/s</text>"), std::string::npos);  // no division by zero
  c.times = {0};
  c.series[0].values = {5};
  EXPECT_EQ(ChartSvg(c).find("<svg"), std::string::npos);
  EXPECT_NE(ChartSvg(c).find("requests: no chart yet (a point is taken every 1m 0s"),
            std::string::npos)
      << ChartSvg(c);
  c.times.clear();
  c.series[0].values.clear();
  EXPECT_EQ(ChartSvg(c).rfind("<p class=note>", 0), 0u);
  // The page's three charts each say so on a fresh master.
  const std::string page = HistoryCharts({}, 1);
  EXPECT_EQ(Count(page, "no chart yet (a point is taken every 1s"), 3u) << page;
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

TEST(HistoryTest, OnePointAStepForEverySeries) {
  History h(60, 3);
  h.Sample(1000, {});
  h.Sample(1030, {.ops = 100});  // inside the first step: no point yet
  EXPECT_TRUE(h.points().empty());
  h.Sample(1060, {.ops = 600,
                  .bytes_read = 60ull << 20,
                  .bytes_written = 6 << 20,
                  .replications = 3,
                  .deletions = 1});
  ASSERT_EQ(h.points().size(), 1u);
  const HistoryPoint p = h.points()[0];
  EXPECT_EQ(p.time, 1060u);
  EXPECT_DOUBLE_EQ(p.ops_per_second, 10.0);
  EXPECT_DOUBLE_EQ(p.read_bytes_per_second, 1 << 20);
  EXPECT_DOUBLE_EQ(p.written_bytes_per_second, (1 << 20) / 10.0);
  EXPECT_DOUBLE_EQ(p.replications_per_second, 0.05);
  EXPECT_DOUBLE_EQ(p.deletions_per_second, 1 / 60.0);
  // A late sample: the rate is over the time that really passed.
  h.Sample(1180, {.ops = 1800, .bytes_read = 60ull << 20});
  ASSERT_EQ(h.points().size(), 2u);
  EXPECT_DOUBLE_EQ(h.points()[1].ops_per_second, 10.0);
  EXPECT_DOUBLE_EQ(h.points()[1].read_bytes_per_second, 0.0);
  for (uint32_t t = 1240; t <= 1480; t += 60)
    h.Sample(t, {.ops = 1800, .bytes_read = 60ull << 20});
  ASSERT_EQ(h.points().size(), 3u);  // capacity: the oldest go
  EXPECT_EQ(h.points().front().time, 1360u);
  EXPECT_DOUBLE_EQ(h.points().back().ops_per_second, 0.0);
}

TEST(HistoryTest, ACounterGoingDownIsARestartNeverANegativeRate) {
  EXPECT_EQ(CounterDelta(10, 25), 15u);
  EXPECT_EQ(CounterDelta(1000, 40), 40u);  // restarted: 40 since
  EXPECT_EQ(CounterDelta(7, 7), 0u);
  History h(60);
  h.Sample(0, {.bytes_written = 6000});
  h.Sample(60, {.bytes_written = 600});
  ASSERT_EQ(h.points().size(), 1u);
  EXPECT_DOUBLE_EQ(h.points()[0].written_bytes_per_second, 10.0);
  // A clock stepped back restarts the point rather than inventing a rate.
  h.Sample(30, {.bytes_written = 900});
  EXPECT_EQ(h.points().size(), 1u);
  h.Sample(90, {.bytes_written = 1500});
  ASSERT_EQ(h.points().size(), 2u);
  EXPECT_DOUBLE_EQ(h.points()[1].written_bytes_per_second, 15.0);
  EXPECT_EQ(History().step(), 60u);
  EXPECT_EQ(History(0).step(), 1u);
}

}  // namespace
}  // namespace elk::master::monitor
