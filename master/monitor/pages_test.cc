// The pages by path (what HTTP and the client port both answer), MooseFS's mfs.cgi sections,
// and the charts' history kept on disk.
#include "master/monitor/pages.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "master/monitor/history.h"
#include "master/monitor/history_file.h"
#include "master/monitor/test_snapshot.h"

namespace elk::master::monitor {
namespace {

using testing::SampleSnapshot;

bool Has(const std::string& body, const std::string& table) {
  return body.find("<table id='" + table + "'") != std::string::npos;
}

TEST(PagesTest, EveryPathHasItsPageAndOthersAre404) {
  const Snapshot s = SampleSnapshot();
  for (const char* path : {"/", "/mfs.cgi"}) {
    Page p = RenderPage(s, path, "");
    EXPECT_EQ(p.status, 200) << path;
    EXPECT_EQ(p.content_type, "text/html; charset=utf-8") << path;
    EXPECT_TRUE(Has(p.body, "chunkservers") && Has(p.body, "exports")) << path;
  }
  Page metrics = RenderPage(s, "/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("elkfs_files "), std::string::npos);
  Page info = RenderPage(s, "/api/v1/info", "");
  EXPECT_EQ(info.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(info.body)["files"], s.info.files);
  for (const char* path : {"/api/v1/nothing", "/api/v1/", "/x", "", "/mfs.cgi/..", "/index.html"}) {
    EXPECT_EQ(RenderPage(s, path, "").status, 404) << path;
  }
}

TEST(PagesTest, MfsCgiShowsOnlyTheSectionsAskedFor) {
  const Snapshot s = SampleSnapshot();
  const std::string cs = RenderPage(s, "/mfs.cgi", "CS").body;
  EXPECT_TRUE(Has(cs, "chunkservers"));
  EXPECT_TRUE(Has(cs, "metaloggers"));  // MooseFS's Servers tab lists both
  EXPECT_FALSE(Has(cs, "exports"));
  EXPECT_FALSE(Has(cs, "info"));
  const std::string two = RenderPage(s, "/mfs.cgi", "IN|HD").body;
  EXPECT_TRUE(Has(two, "info") && Has(two, "health"));
  EXPECT_FALSE(Has(two, "chunkservers"));
  const std::string none = RenderPage(s, "/mfs.cgi", "QU").body;
  EXPECT_NE(none.find("no section of ElkFS's monitor is called 'QU'"), std::string::npos);
  EXPECT_FALSE(Has(none, "chunkservers"));
  // A code is matched whole: "C" or "CSX" is not "CS".
  EXPECT_FALSE(Has(RenderPage(s, "/mfs.cgi", "C|CSX").body, "chunkservers"));
}

TEST(PagesTest, EachChunkserverHasItsChart) {
  Snapshot s = SampleSnapshot();
  EXPECT_NE(RenderPage(s, "/mfs.cgi", "CC").body.find("no chunkserver reports its disks"),
            std::string::npos);
  auto points = std::make_shared<const std::vector<HistoryPoint>>(
      std::vector<HistoryPoint>{{.time = 60, .read_bytes_per_second = 2048},
                                {.time = 120, .written_bytes_per_second = 4096}});
  s.server_history = {{"10.0.0.7:9422", points}, {"10.0.0.8:9422", points}};
  const std::string cc = RenderPage(s, "/mfs.cgi", "CC").body;
  EXPECT_NE(cc.find("10.0.0.7:9422: bytes read and written"), std::string::npos);
  EXPECT_NE(cc.find("10.0.0.8:9422: bytes read and written"), std::string::npos);
  EXPECT_EQ(cc.find("<table id='chunkservers'"), std::string::npos);
  auto history = nlohmann::json::parse(RenderPage(s, "/api/v1/history", "").body);
  ASSERT_EQ(history["chunkservers"].size(), 2u);
  EXPECT_EQ(history["chunkservers"][0]["history"][1]["written_bytes_per_second"], 4096);
}

std::vector<HistoryPoint> Points(uint32_t first, int n) {
  std::vector<HistoryPoint> out;
  for (int i = 0; i < n; ++i) {
    const double v = i + 0.125;
    out.push_back({first + 60u * static_cast<uint32_t>(i), v, v * 1e9, 1.0 / 3, v, 0});
  }
  return out;
}

TEST(HistoryFileTest, PointsComeBackExactly) {
  const auto points = Points(1'700'000'000, 5);
  auto back = DecodeHistory(EncodeHistory(60, points), 60);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ((*back)[i].time, points[i].time);
    EXPECT_EQ((*back)[i].read_bytes_per_second, points[i].read_bytes_per_second);
    EXPECT_EQ((*back)[i].replications_per_second, points[i].replications_per_second);
  }
}

TEST(HistoryFileTest, AnotherFormatOrStepIsRefusedAndATornLastLineCut) {
  const std::string text = EncodeHistory(60, Points(1000, 3));
  EXPECT_FALSE(DecodeHistory(text, 1).ok());                             // another step
  EXPECT_FALSE(DecodeHistory("MFSS\x01\x02garbage", 60).ok());           // MooseFS's own file
  EXPECT_FALSE(DecodeHistory("elkfs-stats 1 step 60\nx y\n", 60).ok());  // a bad point
  auto torn = DecodeHistory(text + "4000 1 2", 60);  // killed while writing: the rest stands
  ASSERT_TRUE(torn.ok());
  EXPECT_EQ(torn->size(), 3u);
}

TEST(HistoryFileTest, RestoreKeepsTheLastDayBeforeNewPoints) {
  History h(60, 10);  // ten points: 600 s
  const uint32_t now = 100'000;
  h.Sample(now, {});
  h.Sample(now + 60, {.ops = 60});             // one new point, at now + 60
  auto old = Points(now - 900, 16);            // now - 900 ... now + 0: some too old, one at now
  old.push_back({now + 5000, 1, 1, 1, 1, 1});  // from the future: dropped
  h.Restore(old, now);
  const auto points = h.points();
  ASSERT_EQ(points.size(), 10u);
  for (size_t i = 1; i < points.size(); ++i)
    EXPECT_LT(points[i - 1].time, points[i].time);
  EXPECT_EQ(points.back().time, now + 60);  // the new point stays last
  EXPECT_GT(points.front().time, now - 600);
}

}  // namespace
}  // namespace elk::master::monitor
